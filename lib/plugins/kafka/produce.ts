// io.kestra.plugin.kafka.Produce: records from a row file (streamed line by line), a map or a list of
// maps, serialized by type and sent to their topic; in one transaction unless `transactional: false`.
import { AloftError, ErrorCode } from '../../model/errors';
import { readJsonLines } from '../serdes/json-lines';
import type { TaskContext } from '../types';
import { clientConfig, ignoredProperties, openWriter, type OutgoingRecord, type RecordWriter } from './client';
import { WriterError } from './client-writer';
import type { ProduceOutputs, ProduceProperties } from './properties';
import { SchemaRegistry } from './registry';
import { SerdeError, serializer, type Serializer } from './serdes';

interface Source {
  /** The record's line in the file, or its 1-based place in `from`'s list. */
  at: number;
  value: unknown;
}

/** Where a record is, for an error message ("line 3 of kestra:///…", "record 2 of from", "from"). */
type Where = () => string;

/**
 * Built only when an error names the record: a number's text made for every record is kept by V8's
 * number-string cache long enough to be promoted to the old generation, where it stays until a full
 * collection, so a long file would grow the heap with the records read.
 */
function placeOf(from: ProduceProperties['from']): (at: number) => string {
  if (typeof from === 'string') return (at) => `line ${at} of ${from}`;
  return Array.isArray(from) ? (at) => `record ${at} of from` : () => 'from';
}

const failed = (message: string, property?: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, message, property ? { property } : {});

async function* records(ctx: TaskContext, from: ProduceProperties['from']): AsyncGenerator<Source> {
  if (typeof from === 'string') {
    const source = await ctx.storage.get(from);
    for await (const { line, value } of readJsonLines(source, from)) yield { at: line, value };
  } else if (Array.isArray(from)) {
    for (let i = 0; i < from.length; i++) yield { at: i + 1, value: from[i] };
  } else yield { at: 1, value: from };
}

function timestampOf(v: unknown, where: Where): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw failed(`${where()}: timestamp ${JSON.stringify(v)} is neither epoch milliseconds nor an ISO 8601 date-time`);
}

/** Headers as a map, or as the list of one-entry maps a Consume task writes (a name may repeat). */
function headersOf(v: unknown, where: Where): OutgoingRecord['headers'] {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') throw failed(`${where()}: headers must be a map or a list of maps`);
  const entries: [string, unknown][] = Array.isArray(v) ? v.flatMap((h) => (h && typeof h === 'object' ? Object.entries(h) : [])) : Object.entries(v);
  const headers: Record<string, string[]> = {};
  for (const [k, x] of entries) (headers[k] ??= []).push(typeof x === 'string' ? x : JSON.stringify(x));
  return Object.fromEntries(Object.entries(headers).map(([k, xs]) => [k, xs.length === 1 ? xs[0] : xs]));
}

function partitionOf(v: unknown, where: Where): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw failed(`${where()}: partition ${JSON.stringify(v)} is not a partition number`);
  return n;
}

export async function produce(ctx: TaskContext, props: ProduceProperties): Promise<ProduceOutputs> {
  const serdeProperties = props.serdeProperties ?? {};
  const registryUrl = serdeProperties['schema.registry.url'];
  const registry = registryUrl ? new SchemaRegistry(registryUrl, serdeProperties) : undefined;
  const make = async (isKey: boolean): Promise<Serializer> => {
    const property = isKey ? 'keySerializer' : 'valueSerializer';
    try {
      return await serializer(isKey ? props.keySerializer : props.valueSerializer, {
        isKey, registry,
        avroSchema: isKey ? props.keyAvroSchema : props.valueAvroSchema,
        protobufSchema: isKey ? props.keyProtobufSchema : props.valueProtobufSchema,
      });
    } catch (err) {
      throw failed(`${property}: ${(err as Error).message}`, property);
    }
  };
  const keyOf = await make(true);
  const valueOf = await make(false);
  // Kestra 1.x's default. 0.4 had no `transactional` property, so there is no 0.4 default to keep.
  const transactional = props.transactional ?? true;
  // Checked before connecting: a bad SSL or SASL property fails without a network round trip.
  clientConfig(props.properties);
  // A transaction needs an idempotent producer, which needs acks=all: librdkafka refuses the mix, as
  // Kafka's Java producer does, and would report it as a failure to connect.
  const acks = props.properties.acks;
  if (transactional && acks !== undefined && acks !== 'all' && acks !== '-1') {
    throw failed(`acks ${acks} cannot be used in a transaction, and Produce writes in one unless transactional is false: set acks to all, or transactional: false`, 'transactional');
  }
  const ignored = ignoredProperties(props.properties);
  if (ignored.length > 0) ctx.logger.warn(`properties this Kafka client has no equivalent for, ignored: ${ignored.join(', ')}`);
  const servers = props.properties['bootstrap.servers'];

  let writer: RecordWriter | undefined;
  try {
    writer = await openWriter(props.properties, { transactional });
    let count = 0;
    const place = placeOf(props.from);
    for await (const { at, value } of records(ctx, props.from)) {
      const where: Where = () => place(at);
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new AloftError(ErrorCode.KILLED, 'the task was stopped');
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw failed(`${where()}: a record must be a map with key, value, topic, partition, timestamp and headers`);
      const rec = value as Record<string, unknown>;
      const topic = rec.topic === undefined || rec.topic === null ? props.topic : String(rec.topic);
      let key: Buffer | null;
      let val: Buffer | null;
      try {
        const k = keyOf(rec.key, topic);
        key = k instanceof Promise ? await k : k;
      } catch (err) {
        throw serdeFailure(err, where, 'key', props.keySerializer);
      }
      try {
        const v = valueOf(rec.value, topic);
        val = v instanceof Promise ? await v : v;
      } catch (err) {
        throw serdeFailure(err, where, 'value', props.valueSerializer);
      }
      const record: OutgoingRecord = { topic, key, value: val };
      const headers = headersOf(rec.headers, where);
      if (headers) record.headers = headers;
      const partition = partitionOf(rec.partition, where);
      if (partition !== null) record.partition = partition;
      const timestamp = timestampOf(rec.timestamp, where);
      if (timestamp !== null) record.timestamp = timestamp;
      await writer.write(record);
      count++;
    }
    await writer.finish();
    ctx.metrics.counter('records', count);
    return { messagesCount: count };
  } catch (err) {
    if (err instanceof AloftError || (err && typeof err === 'object' && typeof (err as AloftError).code === 'string' && 'location' in err)) throw err;
    throw writerFailure(err, servers);
  } finally {
    // Aborts the transaction when the records were not all written: none of them becomes visible.
    await writer?.close();
  }
}

function writerFailure(err: unknown, servers: string): AloftError {
  if (!(err instanceof WriterError)) return failed(`Kafka at ${servers}: ${(err as Error).message ?? String(err)}`);
  // An unreachable cluster fails at `connect`, before any transaction: its error names the connection.
  if (err.stage === 'init') return failed(`cannot start a transactional producer on Kafka at ${servers}: ${err.message}`, 'transactional');
  if (err.stage === 'connect') return failed(`cannot connect to Kafka at ${servers}: ${err.message}`, 'properties');
  if (err.stage === 'transaction') return failed(`cannot start a transaction on Kafka at ${servers}: ${err.message}`, 'transactional');
  if (err.stage === 'commit') return failed(`Kafka at ${servers} did not commit the transaction: ${err.message}`, 'transactional');
  return failed(`Kafka at ${servers} did not accept the records: ${err.message}`);
}

function serdeFailure(err: unknown, where: Where, part: 'key' | 'value', type: string): AloftError {
  if (err instanceof AloftError) return err;
  const field = err instanceof SerdeError && err.field ? ` field ${err.field}` : '';
  return failed(`${where()}: the ${part}${field} does not fit ${type}: ${(err as Error).message}`);
}

