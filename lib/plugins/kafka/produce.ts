// io.kestra.plugin.kafka.Produce: records from a row file (streamed line by line), a map or a list of
// maps, serialized by type and sent to their topic; in one transaction unless `transactional: false`.
import { randomUUID } from 'node:crypto';
import { AloftError, ErrorCode } from '../../model/errors';
import { readJsonLines } from '../serdes/json-lines';
import type { TaskContext } from '../types';
import { call, clientConfig, describeKafkaError, loadKafka } from './client';
import type { ProduceOutputs, ProduceProperties } from './properties';
import { SchemaRegistry } from './registry';
import { SerdeError, serializer, type Serializer } from './serdes';
import type { Producer } from '@confluentinc/kafka-javascript';

const TIMEOUT_MS = 30_000;
const QUEUE_FULL = -184; // librdkafka RD_KAFKA_RESP_ERR__QUEUE_FULL

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

/** Headers as a map, or as the list of one-entry maps a Consume task writes. */
function headersOf(v: unknown, where: string): { [key: string]: string }[] | undefined {
  if (v === null || v === undefined) return undefined;
  const entries: [string, unknown][] = Array.isArray(v) ? v.flatMap((h) => (h && typeof h === 'object' ? Object.entries(h) : [])) : typeof v === 'object' ? Object.entries(v) : [];
  if (!Array.isArray(v) && typeof v !== 'object') throw failed(`${where}: headers must be a map or a list of maps`);
  return entries.map(([k, x]) => ({ [k]: typeof x === 'string' ? x : JSON.stringify(x) }));
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
  const make = (isKey: boolean): Serializer => {
    const property = isKey ? 'keySerializer' : 'valueSerializer';
    try {
      return serializer(isKey ? props.keySerializer : props.valueSerializer, { isKey, avroSchema: isKey ? props.keyAvroSchema : props.valueAvroSchema, registry });
    } catch (err) {
      throw failed(`${property}: ${(err as Error).message}`, property);
    }
  };
  const keyOf = make(true);
  const valueOf = make(false);
  const transactional = props.transactional ?? true;

  const kafka = await loadKafka();
  const conf = {
    ...clientConfig(props.properties),
    dr_cb: true,
    ...(transactional ? { 'transactional.id': randomUUID() } : {}),
  };
  let producer: Producer;
  try {
    producer = new kafka.Producer(conf as never, {});
  } catch (err) {
    throw failed(`invalid Kafka properties: ${describeKafkaError(err, props.properties)}`, 'properties');
  }
  let deliveryError: unknown;
  producer.on('delivery-report', (err) => { if (err && !deliveryError) deliveryError = err; });
  const servers = props.properties['bootstrap.servers'];
  let connected = false;
  let inTransaction = false;
  try {
    try {
      await call((cb) => producer.connect({ timeout: TIMEOUT_MS }, cb));
      connected = true;
      producer.setPollInterval(50);
      if (transactional) {
        await call((cb) => producer.initTransactions(TIMEOUT_MS, cb));
        await call((cb) => producer.beginTransaction(cb));
        inTransaction = true;
      }
    } catch (err) {
      throw failed(`cannot connect to Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'properties');
    }

    const checked = new Set<string>();
    let count = 0;
    for await (const { where, value } of records(ctx, props.from)) {
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new AloftError(ErrorCode.KILLED, 'the task was stopped');
      if (deliveryError) break;
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw failed(`${where}: a record must be a map with key, value, topic, partition, timestamp and headers`);
      const rec = value as Record<string, unknown>;
      const topic = rec.topic === undefined || rec.topic === null ? props.topic : String(rec.topic);
      if (!checked.has(topic)) {
        // As Kestra's partitionsFor: a topic the cluster does not know fails now, not after message.timeout.ms.
        try {
          await call((cb) => producer.getMetadata({ topic, timeout: TIMEOUT_MS }, cb));
        } catch (err) {
          throw failed(`${where}: topic ${topic}: ${describeKafkaError(err, props.properties)}`, 'topic');
        }
        checked.add(topic);
      }
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
      await send(producer, topic, partitionOf(rec.partition, where), val, key, timestampOf(rec.timestamp, where), headersOf(rec.headers, where));
      count++;
    }
    await call((cb) => producer.flush(TIMEOUT_MS, cb));
    if (deliveryError) throw failed(`Kafka did not accept a record: ${describeKafkaError(deliveryError, props.properties)}`);
    if (inTransaction) {
      await call((cb) => producer.commitTransaction(TIMEOUT_MS, cb));
      inTransaction = false;
    }
    ctx.metrics.counter('records', count);
    return { messagesCount: count };
  } catch (err) {
    if (inTransaction) await call((cb) => producer.abortTransaction(TIMEOUT_MS, cb)).catch(() => undefined);
    if (err instanceof AloftError || (err && typeof err === 'object' && 'code' in err && typeof (err as AloftError).code === 'string')) throw err;
    throw failed(`Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
  } finally {
    if (connected) await call((cb) => producer.disconnect(TIMEOUT_MS, cb)).catch(() => undefined);
  }
}

function serdeFailure(err: unknown, where: string, part: 'key' | 'value', type: string): AloftError {
  if (err instanceof AloftError) return err;
  const field = err instanceof SerdeError && err.field ? ` field ${err.field}` : '';
  return failed(`${where}: the ${part}${field} does not fit ${type}: ${(err as Error).message}`);
}

/** Queues one record, waiting while librdkafka's local queue is full. */
async function send(producer: Producer, topic: string, partition: number | null, value: Buffer | null, key: Buffer | null,
  timestamp: number | null, headers: { [key: string]: string }[] | undefined): Promise<void> {
  for (;;) {
    try {
      producer.produce(topic, partition ?? -1, value, key, timestamp ?? undefined, undefined, headers);
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== QUEUE_FULL) throw err;
      producer.poll();
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
