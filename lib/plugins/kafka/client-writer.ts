// Part of the Kafka client adapter (client.ts): records handed to librdkafka's producer, which batches
// them, in one transaction when asked; only failed deliveries come back to JavaScript. Nothing outside
// the adapter knows the client.
import { randomUUID } from 'node:crypto';
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

/**
 * Where a write failed: connecting (the cluster's metadata), getting a transactional producer id
 * (`init`), starting the transaction, sending, or committing.
 */
export class WriterError extends Error {
  constructor(readonly stage: 'connect' | 'init' | 'transaction' | 'send' | 'commit', message: string) {
    super(message);
  }
}

/**
 * An empty value that is not null: a zero-length Buffer of its own has no memory behind it, and the
 * client would send it as null; a zero-length view into a real buffer is sent as empty, as Kafka keeps it.
 */
const EMPTY = Buffer.alloc(8).subarray(4, 4);
const bytes = (b: Buffer | null): Buffer | null => (b !== null && b.length === 0 ? EMPTY : b);
const ACKS: Readonly<Record<string, number>> = { all: -1, '-1': -1, '1': 1, '0': 0 };
/** How long connecting (metadata, and a transactional producer's id) and ending a transaction may take. */
const TIMEOUT_MS = 30_000;
/** librdkafka's "local queue full": wait for deliveries, then try again. */
const QUEUE_FULL = -184;

const call = (f: (cb: (err: unknown) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => f((err) => (err ? reject(err) : resolve())));

export async function openWriter(properties: Readonly<Record<string, string>>, opts: { transactional: boolean }): Promise<RecordWriter> {
  const { Producer } = await loadKafka();
  const config: ClientConfig = {
    ...clientConfig(properties),
    acks: ACKS[properties.acks ?? 'all'] ?? -1,
    'linger.ms': properties['linger.ms'] ?? 5,
    // Only failed deliveries call back into JavaScript: a callback per record would cost more than the record.
    dr_cb: true,
    'delivery.report.only.error': true,
    ...(properties['request.timeout.ms'] ? { 'request.timeout.ms': Number(properties['request.timeout.ms']) } : {}),
    // Kafka's own default for a producer: the whole file is written, or (in a transaction) none of it.
    ...(opts.transactional ? { 'transactional.id': `aloft-${randomUUID()}`, 'enable.idempotence': true } : {}),
  };
  const producer = new Producer(config as ConstructorParameters<typeof Producer>[0]);
  const fail = (stage: WriterError['stage'], err: unknown): WriterError => new WriterError(stage, describeKafkaError(err, properties));
  let failure: WriterError | undefined;
  producer.on('delivery-report', (err: unknown) => { if (err) failure ??= fail('send', err); });
  const disconnect = (): Promise<void> => new Promise((resolve) => { if (producer.isConnected()) producer.disconnect(TIMEOUT_MS, () => resolve()); else resolve(); });
  try {
    await call((cb) => producer.connect({ timeout: TIMEOUT_MS }, cb));
    // Serves the delivery reports.
    producer.setPollInterval(100);
  } catch (err) {
    await disconnect();
    throw fail('connect', err);
  }
  let inTransaction = false;
  if (opts.transactional) {
    try {
      await call((cb) => producer.initTransactions(TIMEOUT_MS, cb));
    } catch (err) {
      await disconnect();
      throw fail('init', err);
    }
    try {
      await call((cb) => producer.beginTransaction(cb));
      inTransaction = true;
    } catch (err) {
      await disconnect();
      throw fail('transaction', err);
    }
  }

  const flush = (ms: number): Promise<void> => new Promise((resolve) => producer.flush(ms, () => resolve()));
  return {
    async write(r) {
      if (failure) throw failure;
      const headers = r.headers ? Object.entries(r.headers).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => ({ [k]: x }))) : undefined;
      for (;;) {
        try {
          producer.produce(r.topic, r.partition ?? null, bytes(r.value), bytes(r.key) ?? undefined, r.timestamp ?? null, undefined, headers);
          return;
        } catch (err) {
          if ((err as { code?: number }).code !== QUEUE_FULL) throw fail('send', err);
          await flush(100);
          if (failure) throw failure;
        }
      }
    },
    async finish() {
      if (inTransaction) {
        // Flushes every record, then writes the COMMIT markers.
        try {
          await call((cb) => producer.commitTransaction(TIMEOUT_MS, cb));
        } catch (err) {
          // A delivery failure served by the commit's flush may reach JavaScript a turn later (see below).
          await new Promise<void>((resolve) => setImmediate(resolve));
          throw failure ?? fail('commit', err);
        }
        inTransaction = false;
      } else {
        await new Promise<void>((resolve, reject) => producer.flush(TIMEOUT_MS, (err) => (err ? reject(fail('send', err)) : resolve())));
        // flush() serves the last delivery reports on its worker thread, but they reach JavaScript
        // through the client's own libuv async handle, which the loop may run after the flush's
        // completion in the same pass: a failure would land after this check. One turn of the loop
        // (setImmediate runs after that pass) lets them in first.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (failure) throw failure;
    },
    async close() {
      if (inTransaction) await call((cb) => producer.abortTransaction(TIMEOUT_MS, cb)).catch(() => undefined);
      await disconnect();
    },
  };
}
