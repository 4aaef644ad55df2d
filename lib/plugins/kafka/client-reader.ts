// Part of the Kafka client adapter (client.ts): records read through librdkafka's consumer, pulled in
// batches by the caller (so a slow writer slows the reading, and memory holds what librdkafka
// prefetches), with the group's offsets committed only when the caller says so.
import type { KafkaConsumer, LibrdKafkaError, Message } from '@confluentinc/kafka-javascript';
import { clientConfig, loadKafka } from './client';

export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  key: Buffer | null;
  value: Buffer | null;
  /** Epoch milliseconds. */
  timestamp: number;
  /** In order, a name once per value, as Kafka keeps them. */
  headers: readonly [string, Buffer][];
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface ReaderOptions {
  /** The group the offsets are committed to; none reads without committing. */
  groupId?: string;
  topics?: string[];
  /** A regular expression on the whole topic name (a group is then required). */
  pattern?: string;
  /** Only these partitions, read from the start (or `since`), as Kestra's `partitions`. */
  partitions?: number[];
  /** Epoch milliseconds: start at the first record at or after it. */
  since?: number;
  /** Read from each partition's start rather than from the group's committed offsets. */
  rewind: boolean;
}

export interface RecordReader {
  /** Up to `max` records; an empty list when none came within `waitMs`. */
  poll(max: number, waitMs: number): Promise<KafkaRecord[]>;
  /** Commits, for the group, where it goes on from (the offset after the last record handled). */
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Reads this partition again from `offset` (after a record whose handling failed). */
  seek(at: TopicPartitionOffset): Promise<void>;
  close(): Promise<void>;
}

/** How long metadata and offset lookups may take: an unreachable cluster fails in seconds. */
const LOOKUP_MS = 10_000;
/** How long the group join may take, beyond a session timeout, before the first poll counts. */
const JOIN_MS = 15_000;
const DEFAULT_SESSION_MS = 10_000;
const JOIN_POLL_MS = 200;
const LEAVE_MS = 200;

const call = <T>(f: (cb: (err: LibrdKafkaError | Error | null | undefined, v: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

const NO_HEADERS: readonly [string, Buffer][] = Object.freeze([]);

function toRecord(m: Message): KafkaRecord {
  let headers = NO_HEADERS;
  if (m.headers !== undefined && m.headers.length > 0) {
    const all: [string, Buffer][] = [];
    for (const h of m.headers) for (const [k, v] of Object.entries(h)) all.push([k, Buffer.isBuffer(v) ? v : Buffer.from(String(v))]);
    headers = all;
  }
  const key = m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(String(m.key));
  return { topic: m.topic, partition: m.partition, offset: m.offset, key, value: m.value ?? null, timestamp: m.timestamp ?? 0, headers };
}

async function connected(properties: Readonly<Record<string, string>>, extra: Record<string, unknown>): Promise<KafkaConsumer> {
  const { KafkaConsumer: Consumer } = await loadKafka();
  // auto.offset.reset is a topic property: in the global configuration it would be overridden by the
  // default topic configuration the client creates.
  const { 'auto.offset.reset': reset, ...global } = extra;
  const consumer = new Consumer({ ...clientConfig(properties), ...global } as ConstructorParameters<typeof Consumer>[0], reset ? { 'auto.offset.reset': reset as 'earliest' } : {});
  try {
    await call((cb) => consumer.connect({ timeout: LOOKUP_MS }, cb));
  } catch (err) {
    consumer.disconnect(() => undefined);
    throw err;
  }
  return consumer;
}

async function disconnect(consumer: KafkaConsumer): Promise<void> {
  if (!consumer.isConnected()) return;
  // Leaves the group at once, so that the next member's join does not wait for this one's session to time out.
  // librdkafka waits for the revocation to be served by a poll, which nothing calls any more: answer it here.
  if (consumer.subscription().length > 0) {
    consumer.unsubscribe();
    consumer.unassign();
    // One more poll serves the revocation, so the LeaveGroup goes out before the client is destroyed.
    consumer.setDefaultConsumeTimeout(LEAVE_MS);
    await call<Message[]>((cb) => consumer.consume(1, cb)).catch(() => undefined);
  }
  await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
}

async function partitionsOf(consumer: KafkaConsumer, topic: string): Promise<number[]> {
  const metadata = await call<{ topics: { name: string; partitions: { id: number }[] }[] }>((cb) => consumer.getMetadata({ topic, timeout: LOOKUP_MS }, cb as never));
  const found = metadata.topics.find((t) => t.name === topic);
  if (!found || found.partitions.length === 0) throw new Error(`topic ${topic} does not exist`);
  return found.partitions.map((p) => p.id).sort((a, b) => a - b);
}

/** Where each partition of the topics starts: its first record, or the first at or after `since`. */
async function startOffsets(consumer: KafkaConsumer, opts: ReaderOptions): Promise<TopicPartitionOffset[]> {
  const out: TopicPartitionOffset[] = [];
  for (const topic of opts.topics ?? []) {
    const wanted = opts.partitions?.length ? new Set(opts.partitions) : undefined;
    const partitions = (await partitionsOf(consumer, topic)).filter((p) => !wanted || wanted.has(p));
    if (opts.since === undefined) {
      // librdkafka's logical offset -2: the partition's first record still held.
      for (const partition of partitions) out.push({ topic, partition, offset: -2 });
      continue;
    }
    const found = await call<TopicPartitionOffset[]>((cb) => consumer.offsetsForTimes(partitions.map((partition) => ({ topic, partition, offset: opts.since! })), LOOKUP_MS, cb as never));
    // A partition with nothing at or after `since` answers -1: its end, where new records arrive.
    for (const f of found) out.push({ topic, partition: f.partition, offset: f.offset < 0 ? -1 : f.offset });
  }
  return out;
}

export async function openReader(properties: Readonly<Record<string, string>>, opts: ReaderOptions): Promise<RecordReader> {
  // Shorter than Kafka's 45 s: a group whose last member just left (or died) may make the next one
  // wait that long to join, and a task's consumer is short-lived.
  const sessionMs = Number(properties['session.timeout.ms'] ?? DEFAULT_SESSION_MS);
  let isJoined = false;
  const joined = (): void => { isJoined = true; };
  const consumer = await connected(properties, {
    // Without a group nothing is committed; librdkafka still wants an id for its consumer.
    'group.id': opts.groupId ?? 'aloft-no-group',
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'auto.offset.reset': opts.rewind ? 'earliest' : (properties['auto.offset.reset'] ?? 'latest'),
    'isolation.level': properties['isolation.level'] === 'read_uncommitted' ? 'read_uncommitted' : 'read_committed',
    // What librdkafka prefetches (one queue for all the partitions): enough to keep reading, a bound on
    // memory, by bytes and by count (its default count, 100,000 a partition, lets small records, which
    // cost it far more than their bytes, take about 100 MB more).
    'queued.max.messages.kbytes': 4096,
    'queued.min.messages': 10_000,
    'fetch.max.bytes': 8 << 20,
    'fetch.wait.max.ms': 100,
    // Once that queue is full, librdkafka waits this long before fetching that partition again: its
    // default (1 s) leaves the reader idle long after it has emptied so small a queue.
    'fetch.queue.backoff.ms': 20,
    'session.timeout.ms': sessionMs,
    rebalance_cb: true,
  });
  consumer.on('rebalance', (err: LibrdKafkaError) => { if (err.code === -175) joined(); });
  try {
    // Kestra's subscriptions: `partitions`, no group, or `since`, assign from the start (or `since`);
    // a group alone joins and starts at its committed offsets (auto.offset.reset when it has none).
    const assigned = opts.topics !== undefined && (opts.rewind || opts.since !== undefined);
    if (assigned) {
      consumer.assign(await startOffsets(consumer, opts));
      joined();
    } else {
      consumer.subscribe(opts.topics ?? [new RegExp(`^(?:${opts.pattern})$`)]);
    }
  } catch (err) {
    await disconnect(consumer);
    throw err;
  }
  // Answer as soon as the first record is there, without waiting to fill the batch.
  // (a method the client has and its typings omit).
  (consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(on: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
  // The group join happens while polling (librdkafka serves the rebalance there): until it is done,
  // polls come back empty without counting as the wait.
  const joinBy = Date.now() + sessionMs + JOIN_MS;
  const take = (max: number, waitMs: number): Promise<Message[]> => {
    consumer.setDefaultConsumeTimeout(waitMs);
    return call<Message[]>((cb) => consumer.consume(max, cb));
  };
  return {
    async poll(max, waitMs) {
      while (!isJoined && Date.now() < joinBy) {
        const early = await take(max, JOIN_POLL_MS);
        if (early.length > 0) return early.map(toRecord);
      }
      const messages = await take(max, waitMs);
      return messages.map(toRecord);
    },
    async commit(offsets) {
      if (offsets.length > 0) consumer.commitSync(offsets);
    },
    async seek(at) {
      await call((cb) => consumer.seek(at, LOOKUP_MS, cb as never));
    },
    close: () => disconnect(consumer),
  };
}

/** Each partition's first and next offsets (low and high watermarks) of a topic. */
export async function topicWatermarks(properties: Readonly<Record<string, string>>, topic: string): Promise<{ partition: number; low: number; high: number }[]> {
  const consumer = await connected(properties, { 'group.id': 'aloft-watermarks' });
  try {
    const out: { partition: number; low: number; high: number }[] = [];
    for (const partition of await partitionsOf(consumer, topic)) {
      const w = await call<{ lowOffset: number; highOffset: number }>((cb) => consumer.queryWatermarkOffsets(topic, partition, LOOKUP_MS, cb as never));
      out.push({ partition, low: w.lowOffset, high: w.highOffset });
    }
    return out;
  } finally {
    await disconnect(consumer);
  }
}

/** A group's committed offsets on a topic, by partition (-1 where it has none). */
export async function committedOffsets(properties: Readonly<Record<string, string>>, groupId: string, topic: string): Promise<number[]> {
  const consumer = await connected(properties, { 'group.id': groupId });
  try {
    const partitions = await partitionsOf(consumer, topic);
    const got = await call<TopicPartitionOffset[]>((cb) => consumer.committed(partitions.map((partition) => ({ topic, partition })), LOOKUP_MS, cb as never));
    return partitions.map((p) => {
      const o = got.find((x) => x.partition === p)?.offset;
      return o === undefined || o < 0 ? -1 : o;
    });
  } finally {
    await disconnect(consumer);
  }
}
