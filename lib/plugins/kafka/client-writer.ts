// Part of the Kafka client adapter (client.ts): records written through the client's promise API,
// in batches with a few in flight, in one transaction when asked. Nothing outside the adapter knows
// the client.
import { randomUUID } from 'node:crypto';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { clientConfig, describeKafkaError, loadKafka, type ClientConfig } from './client';

export interface OutgoingRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  partition?: number;
  /** Epoch milliseconds. */
  timestamp?: number;
  headers?: Record<string, string | string[]>;
}

export interface RecordWriter {
  /** Takes a record; resolves once the client can take more (back-pressure). */
  write(record: OutgoingRecord): Promise<void>;
  /** Waits until the cluster acknowledged every record, then commits the transaction if there is one. */
  finish(): Promise<void>;
  /** Aborts a transaction not committed, and disconnects. */
  close(): Promise<void>;
}

/** Where a write failed: while connecting, starting the transaction, or sending. */
export class WriterError extends Error {
  constructor(readonly stage: 'connect' | 'transaction' | 'send' | 'commit', message: string) {
    super(message);
  }
}

/** Records per request, and requests in flight: enough to keep the cluster busy, few enough to hold in memory. */
const BATCH = 4000;
const IN_FLIGHT = 4;
/**
 * An empty value that is not null: a zero-length Buffer of its own has no memory behind it, and the
 * client would send it as null; a zero-length view into a real buffer is sent as empty, as Kafka keeps it.
 */
const EMPTY = Buffer.alloc(8).subarray(4, 4);
const bytes = (b: Buffer | null): Buffer | null => (b !== null && b.length === 0 ? EMPTY : b);
const ACKS: Readonly<Record<string, number>> = { all: -1, '-1': -1, '1': 1, '0': 0 };

export async function openWriter(properties: Readonly<Record<string, string>>, opts: { transactional: boolean }): Promise<RecordWriter> {
  const { KafkaJS: K } = await loadKafka();
  const config: ClientConfig = {
    ...clientConfig(properties),
    acks: ACKS[properties.acks ?? 'all'] ?? -1,
    'linger.ms': properties['linger.ms'] ?? 5,
    ...(properties['request.timeout.ms'] ? { 'request.timeout.ms': Number(properties['request.timeout.ms']) } : {}),
    // Kafka's own default for a producer: the whole file is written, or (in a transaction) none of it.
    ...(opts.transactional ? { 'transactional.id': `aloft-${randomUUID()}`, 'enable.idempotence': true } : {}),
  };
  const producer: KafkaJS.Producer = new K.Kafka({}).producer(config as KafkaJS.ProducerConstructorConfig);
  const fail = (stage: WriterError['stage'], err: unknown): WriterError => new WriterError(stage, describeKafkaError(err, properties));
  try {
    // connect() asks for metadata, and for a transactional producer its id (initTransactions).
    await producer.connect();
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw fail('connect', err);
  }
  let inTransaction = false;
  if (opts.transactional) {
    try {
      await producer.transaction();
      inTransaction = true;
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw fail('transaction', err);
    }
  }

  let batch: KafkaJS.TopicMessages[] = [];
  let pending = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: WriterError | undefined;
  const flush = (): void => {
    if (pending === 0) return;
    const topicMessages = batch;
    batch = [];
    pending = 0;
    const sent: Promise<void> = producer.sendBatch({ topicMessages }).then(
      () => { inFlight.delete(sent); },
      (err: unknown) => { inFlight.delete(sent); failure ??= fail('send', err); },
    );
    inFlight.add(sent);
  };
  const settle = async (below: number): Promise<void> => {
    while (inFlight.size > below) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  const byTopic = new Map<string, KafkaJS.Message[]>();

  return {
    async write(r) {
      if (failure) throw failure;
      let list = byTopic.get(r.topic);
      if (!list) {
        list = [];
        byTopic.set(r.topic, list);
        batch.push({ topic: r.topic, messages: list });
      }
      const message: KafkaJS.Message = { key: bytes(r.key), value: bytes(r.value) };
      if (r.headers) message.headers = r.headers;
      if (r.partition !== undefined) message.partition = r.partition;
      if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
      list.push(message);
      if (++pending >= BATCH) {
        byTopic.clear();
        flush();
        await settle(IN_FLIGHT - 1);
      }
    },
    async finish() {
      byTopic.clear();
      flush();
      await settle(0);
      if (inTransaction) {
        try {
          await producer.commit();
          inTransaction = false;
        } catch (err) {
          throw fail('commit', err);
        }
      }
    },
    async close() {
      await Promise.allSettled([...inFlight]);
      if (inTransaction) await producer.abort().catch(() => undefined);
      await producer.disconnect().catch(() => undefined);
    },
  };
}
