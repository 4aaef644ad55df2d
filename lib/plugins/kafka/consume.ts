// io.kestra.plugin.kafka.Consume: reads until nothing arrives for pollDuration (or maxRecords /
// maxDuration), writes one row per record to a JSON Lines file, and only once that file is stored
// commits the group's offsets, so a failure anywhere before leaves them where they were.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, KafkaMessage, Producer } from 'kafkajs';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { clientConfig, describeKafkaError, ignoredProperties, loadKafka } from './client';
import { durationMs, type ConsumeOutputs, type ConsumeProperties } from './properties';
import { SchemaRegistry } from './registry';
import { decodeRecord, deserializer, SerdeError } from './serdes';

/** How long the group join may take before the first poll counts. */
const JOIN_TIMEOUT_MS = 30_000;

const failed = (message: string, property?: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, message, property ? { property } : {});

interface Batch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** Lets kafkajs fetch on once this batch is written (or abandoned). */
  release(): void;
}

/** One batch at a time from kafkajs's push callback to the pulling writer: backpressure for free. */
class Handoff {
  private waiting?: (b: Batch | undefined) => void;
  private queued: Batch[] = [];
  private closed = false;
  put(topic: string, partition: number, messages: KafkaMessage[]): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((release) => {
      const b = { topic, partition, messages, release };
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(b);
      } else this.queued.push(b);
    });
  }
  /** The next batch, or undefined when none came within `ms`. */
  take(ms: number): Promise<Batch | undefined> {
    const b = this.queued.shift();
    if (b) return Promise.resolve(b);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiting = undefined; resolve(undefined); }, ms);
      this.waiting = (got) => { clearTimeout(timer); resolve(got); };
    });
  }
  close(): void {
    this.closed = true;
    for (const b of this.queued.splice(0)) b.release();
  }
}

const headerText = (v: Buffer | string): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

/** Headers as Kestra writes them: a list of one-entry maps, a repeated name once per value. */
export function headersOf(m: KafkaMessage): { [key: string]: string }[] {
  const out: { [key: string]: string }[] = [];
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) out.push({ [k]: headerText(x) });
  }
  return out;
}

export function matches(m: KafkaMessage, filters: Readonly<Record<string, string>> | undefined): boolean {
  if (!filters) return true;
  for (const [name, want] of Object.entries(filters)) {
    const v = m.headers?.[name];
    if (v === undefined) return false;
    // The last header of a name counts, as Kafka's Headers.lastHeader.
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (headerText(last) !== want) return false;
  }
  return true;
}

export interface ConsumeHooks {
  /** Called once the file is stored and before the offsets are committed (the polling Trigger starts its execution here). */
  beforeCommit?(out: ConsumeOutputs): Promise<void>;
}

export async function consume(ctx: TaskContext, props: ConsumeProperties, hooks: ConsumeHooks = {}): Promise<ConsumeOutputs> {
  const serdeProperties = props.serdeProperties ?? {};
  const registryUrl = serdeProperties['schema.registry.url'];
  const registry = registryUrl ? new SchemaRegistry(registryUrl, serdeProperties) : undefined;
  const make = (property: 'keyDeserializer' | 'valueDeserializer') => {
    try {
      return deserializer(props[property], registry);
    } catch (err) {
      throw failed(`${property}: ${(err as Error).message}`, property);
    }
  };
  const keySerde = make('keyDeserializer');
  const valueSerde = make('valueDeserializer');
  const groupId = props.groupId ?? props.properties['group.id'];
  const topics = props.topic === undefined ? undefined : Array.isArray(props.topic) ? props.topic : [props.topic];
  let since: number | undefined;
  if (props.since !== undefined) {
    since = Date.parse(props.since);
    if (Number.isNaN(since)) throw failed(`since: ${JSON.stringify(props.since)} is not an ISO 8601 date-time`, 'since');
  }
  let pattern: RegExp | undefined;
  if (props.topicPattern !== undefined) {
    try {
      // Java's Pattern.matcher(topic).matches(): the whole name.
      pattern = new RegExp(`^(?:${props.topicPattern})$`);
    } catch {
      throw failed(`Invalid regex for \`topicPattern\`: ${props.topicPattern}`, 'topicPattern');
    }
  }
  const servers = props.properties['bootstrap.servers'];
  const config = clientConfig(props.properties);
  const ignored = ignoredProperties(props.properties);
  if (ignored.length > 0) ctx.logger.warn(`properties this Kafka client has no equivalent for, ignored: ${ignored.join(', ')}`);

  const { Kafka } = await loadKafka();
  const kafka = new Kafka(config);
  // kafkajs always consumes through a group; without groupId a throwaway one is used and never committed.
  const consumer: Consumer = kafka.consumer({
    groupId: groupId ?? `aloft-no-group-${randomUUID()}`,
    readUncommitted: props.properties['isolation.level'] === 'read_uncommitted',
    allowAutoTopicCreation: false,
    // A fetch that finds nothing answers within this, so that a drained partition on one broker never
    // stalls the others longer than pollDuration (which would end the task early).
    maxWaitTimeInMs: Math.min(500, Math.max(10, Math.floor(durationMs(props.pollDuration) / 4))),
    ...(props.properties['session.timeout.ms'] ? { sessionTimeout: Number(props.properties['session.timeout.ms']) } : {}),
  });
  const admin: Admin = kafka.admin();
  let dlq: Producer | undefined;
  const handoff = new Handoff();
  let joined!: () => void;
  const join = new Promise<void>((resolve) => { joined = resolve; });
  consumer.on(consumer.events.GROUP_JOIN, () => joined());
  let crashed: unknown;
  consumer.on(consumer.events.CRASH, (e) => { crashed = e.payload.error; joined(); });
  try {
    // Kestra's subscriptions: `partitions`, or no group, start at the beginning (or at `since`);
    // a group starts at its committed offsets (auto.offset.reset when it has none).
    const rewind = groupId === undefined || (props.partitions?.length ?? 0) > 0;
    const seeks: { topic: string; partition: number; offset: string }[] = [];
    const pauses: { topic: string; partitions: number[] }[] = [];
    try {
      await admin.connect();
      await consumer.connect();
      if (topics && (rewind || since !== undefined)) {
        for (const topic of topics) {
          const offsets = await admin.fetchTopicOffsets(topic).catch((err: unknown) => {
            throw failed(`topic ${topic}: ${describeKafkaError(err, props.properties)}`, 'topic');
          });
          const wanted = props.partitions?.length ? new Set(props.partitions) : undefined;
          const atTime = since === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(topic, since);
          for (const o of offsets) {
            if (wanted && !wanted.has(o.partition)) continue;
            const t = atTime?.find((x) => x.partition === o.partition);
            // A partition with nothing at or after `since` answers -1: start at its end.
            const offset = t ? (Number(t.offset) < 0 ? o.high : t.offset) : o.low;
            if (rewind || since !== undefined) seeks.push({ topic, partition: o.partition, offset });
          }
          if (wanted) pauses.push({ topic, partitions: offsets.map((o) => o.partition).filter((p) => !wanted.has(p)) });
        }
      }
      await consumer.subscribe(topics
        ? { topics, fromBeginning: rewind || props.properties['auto.offset.reset'] === 'earliest' }
        : { topics: [pattern!], fromBeginning: props.properties['auto.offset.reset'] === 'earliest' });
      await consumer.run({
        // Offsets are resolved in kafkajs's own position only (nothing commits them automatically):
        // the group's committed offsets move by commitOffsets below, after the file is stored.
        autoCommit: false,
        eachBatch: async ({ batch }) => handoff.put(batch.topic, batch.partition, batch.messages),
      });
      for (const s of seeks) consumer.seek(s);
      if (pauses.some((p) => p.partitions.length > 0)) consumer.pause(pauses.filter((p) => p.partitions.length > 0));
      await Promise.race([join, new Promise((r) => setTimeout(r, JOIN_TIMEOUT_MS).unref())]);
      if (crashed) throw crashed;
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw failed(`cannot consume from Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'properties');
    }

    const next = new Map<string, { topic: string; partition: number; offset: string }>();
    const counts = new Map<string, number>();
    let total = 0;
    const started = Date.now();
    const pollMs = durationMs(props.pollDuration);
    const maxDuration = props.maxDuration ? durationMs(props.maxDuration) : undefined;
    const onError = props.onSerdeError;
    const needsPrepare = keySerde.prepare !== undefined || valueSerde.prepare !== undefined;

    async function* rows(): AsyncGenerator<Record<string, unknown>> {
      for (;;) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? new AloftError(ErrorCode.KILLED, 'the task was stopped');
        if (props.maxRecords !== undefined && total >= props.maxRecords) return;
        if (maxDuration !== undefined && Date.now() - started > maxDuration) return;
        const batch = await handoff.take(pollMs);
        if (crashed) throw failed(`Kafka at ${servers}: ${describeKafkaError(crashed, props.properties)}`);
        if (!batch) return;
        // The batch's last record read: its offset + 1 is where the group goes on from.
        let last: KafkaMessage | undefined;
        try {
          for (const m of batch.messages) {
            if (props.maxRecords !== undefined && total >= props.maxRecords) return;
            last = m;
            if (!matches(m, props.headerFilters)) continue;
            let key: unknown;
            let value: unknown;
            try {
              // Only a registry type needs a promise (its schema fetch): the others decode in place.
              if (needsPrepare) ({ key, value } = await decodeRecord(keySerde, valueSerde, m));
              else {
                key = keySerde.decode(m.key);
                value = valueSerde.decode(m.value);
              }
            } catch (err) {
              if (!(err instanceof SerdeError)) throw err;
              const where = `the record at offset ${m.offset} of ${batch.topic} partition ${batch.partition}`;
              if (!onError) throw failed(`${where} cannot be deserialized: ${err.message}`, 'valueDeserializer');
              ctx.logger.warn(`${where} cannot be deserialized (${err.message}): ${onError.type}`);
              if (onError.type === 'SKIPPED') continue;
              if (onError.type === 'DLQ') {
                dlq ??= await connectedProducer(kafka);
                await dlq.send({ topic: onError.topic!, messages: [{ key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp }] });
                continue;
              }
              // STORE: the record goes to the file with its raw bytes as text.
              key = m.key ? m.key.toString('utf8') : null;
              value = m.value ? m.value.toString('utf8') : null;
            }
            total++;
            counts.set(batch.topic, (counts.get(batch.topic) ?? 0) + 1);
            yield {
              key, value, topic: batch.topic, partition: batch.partition,
              timestamp: new Date(Number(m.timestamp)).toISOString(), offset: Number(m.offset), headers: headersOf(m),
            };
          }
        } finally {
          if (last) next.set(`${batch.topic}\n${batch.partition}`, { topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) });
          batch.release();
        }
      }
    }

    const stored = await ctx.storage.writeRows('consume.jsonl', rows());
    handoff.close();
    await hooks.beforeCommit?.({ messagesCount: total, uri: stored.uri });
    // Only now that the file is stored: a failure before this point re-reads the same records.
    if (groupId !== undefined && next.size > 0) {
      try {
        await consumer.commitOffsets([...next.values()]);
      } catch (err) {
        throw failed(`the records were stored but committing the offsets of group ${groupId} failed: ${describeKafkaError(err, props.properties)}`);
      }
    }
    for (const [topic, n] of counts) ctx.metrics.counter(`records.${topic}`, n);
    return { messagesCount: total, uri: stored.uri };
  } finally {
    handoff.close();
    if (dlq) await dlq.disconnect().catch(() => undefined);
    // Also after a failed connect: kafkajs keeps retrying timers until disconnected.
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

async function connectedProducer(kafka: InstanceType<Awaited<ReturnType<typeof loadKafka>>['Kafka']>): Promise<Producer> {
  const producer = kafka.producer();
  await producer.connect();
  return producer;
}
