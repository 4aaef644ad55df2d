// io.kestra.plugin.kafka.Produce: records from a row file (streamed line by line), a map or a list of
// maps, serialized by type and sent to their topic; in one transaction unless `transactional: false`.
import { randomUUID } from 'node:crypto';
import { AloftError, ErrorCode } from '../../model/errors';
import { readJsonLines } from '../serdes/json-lines';
import type { TaskContext } from '../types';
import type { IHeaders, Message, Transaction } from 'kafkajs';
import { clientConfig, describeKafkaError, ignoredProperties, loadKafka } from './client';
import type { ProduceOutputs, ProduceProperties } from './properties';
import { SchemaRegistry } from './registry';
import { SerdeError, serializer, type Serializer } from './serdes';

/** Records sent per request: enough to keep the cluster busy, few enough to hold in memory. */
const BATCH = 2000;
const ACKS: Readonly<Record<string, number>> = { all: -1, '-1': -1, '1': 1, '0': 0 };

interface Source {
  /** "line 3 of kestra:///…" or "record 2 of from". */
  where: string;
  value: unknown;
}

const failed = (message: string, property?: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, message, property ? { property } : {});

async function* records(ctx: TaskContext, from: ProduceProperties['from']): AsyncGenerator<Source> {
  if (typeof from === 'string') {
    const source = await ctx.storage.get(from);
    for await (const { line, value } of readJsonLines(source, from)) yield { where: `line ${line} of ${from}`, value };
  } else if (Array.isArray(from)) {
    for (let i = 0; i < from.length; i++) yield { where: `record ${i + 1} of from`, value: from[i] };
  } else yield { where: 'from', value: from };
}

function timestampOf(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw failed(`${where}: timestamp ${JSON.stringify(v)} is neither epoch milliseconds nor an ISO 8601 date-time`);
}

/** Headers as a map, or as the list of one-entry maps a Consume task writes (a name may repeat). */
function headersOf(v: unknown, where: string): IHeaders | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') throw failed(`${where}: headers must be a map or a list of maps`);
  const entries: [string, unknown][] = Array.isArray(v) ? v.flatMap((h) => (h && typeof h === 'object' ? Object.entries(h) : [])) : Object.entries(v);
  const headers: Record<string, string[]> = {};
  for (const [k, x] of entries) (headers[k] ??= []).push(typeof x === 'string' ? x : JSON.stringify(x));
  return Object.fromEntries(Object.entries(headers).map(([k, xs]) => [k, xs.length === 1 ? xs[0] : xs]));
}

function partitionOf(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw failed(`${where}: partition ${JSON.stringify(v)} is not a partition number`);
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
  // Kestra 0.4's Produce had no transactions; 1.x added `transactional` (default true there).
  const transactional = props.transactional ?? false;
  const config = clientConfig(props.properties);
  const ignored = ignoredProperties(props.properties);
  if (ignored.length > 0) ctx.logger.warn(`properties this Kafka client has no equivalent for, ignored: ${ignored.join(', ')}`);
  const acks = ACKS[props.properties.acks ?? 'all'] ?? -1;

  const { Kafka } = await loadKafka();
  const producer = new Kafka(config).producer(transactional
    ? { transactionalId: randomUUID(), idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true }
    : { allowAutoTopicCreation: true });
  const servers = props.properties['bootstrap.servers'];
  let transaction: Transaction | undefined;
  try {
    try {
      await producer.connect();
    } catch (err) {
      // A transactional producer asks for its producer id while connecting.
      if (transactional) throw failed(`cannot start a transactional producer on Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'transactional');
      throw failed(`cannot connect to Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'properties');
    }
    if (transactional) {
      try {
        transaction = await producer.transaction();
      } catch (err) {
        throw failed(`cannot start a transaction on Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'transactional');
      }
    }
    const sender = transaction ?? producer;
    let batch = new Map<string, Message[]>();
    let pending = 0;
    const flush = async (): Promise<void> => {
      if (pending === 0) return;
      const topicMessages = [...batch].map(([topic, messages]) => ({ topic, messages }));
      batch = new Map();
      pending = 0;
      try {
        await sender.sendBatch({ topicMessages, acks });
      } catch (err) {
        throw failed(`Kafka at ${servers} did not accept the records: ${describeKafkaError(err, props.properties)}`);
      }
    };

    let count = 0;
    for await (const { where, value } of records(ctx, props.from)) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new AloftError(ErrorCode.KILLED, 'the task was stopped');
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw failed(`${where}: a record must be a map with key, value, topic, partition, timestamp and headers`);
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
      const partition = partitionOf(rec.partition, where);
      const timestamp = timestampOf(rec.timestamp, where);
      const message: Message = { key, value: val, headers: headersOf(rec.headers, where) };
      if (partition !== null) message.partition = partition;
      if (timestamp !== null) message.timestamp = String(timestamp);
      let list = batch.get(topic);
      if (!list) batch.set(topic, (list = []));
      list.push(message);
      count++;
      if (++pending >= BATCH) await flush();
    }
    await flush();
    if (transaction) {
      await transaction.commit();
      transaction = undefined;
    }
    ctx.metrics.counter('records', count);
    return { messagesCount: count };
  } catch (err) {
    if (transaction) await transaction.abort().catch(() => undefined);
    if (err instanceof AloftError || (err && typeof err === 'object' && typeof (err as AloftError).code === 'string' && 'location' in err)) throw err;
    throw failed(`Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
  } finally {
    // Also after a failed connect: kafkajs keeps retrying timers until disconnected.
    await producer.disconnect().catch(() => undefined);
  }
}

function serdeFailure(err: unknown, where: string, part: 'key' | 'value', type: string): AloftError {
  if (err instanceof AloftError) return err;
  const field = err instanceof SerdeError && err.field ? ` field ${err.field}` : '';
  return failed(`${where}: the ${part}${field} does not fit ${type}: ${(err as Error).message}`);
}

