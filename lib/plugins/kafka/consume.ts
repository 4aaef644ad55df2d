// io.kestra.plugin.kafka.Consume: polls until a poll returns nothing (or maxRecords / maxDuration),
// writes one row per record to a JSON Lines file, and only once that file is stored commits the
// group's offsets, so a failure anywhere before leaves them where they were.
import { randomUUID } from 'node:crypto';
import type { KafkaConsumer, Message, Producer } from '@confluentinc/kafka-javascript';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { call, clientConfig, describeKafkaError, loadKafka } from './client';
import { durationMs, type ConsumeOutputs, type ConsumeProperties } from './properties';
import { SchemaRegistry } from './registry';
import { deserializer, SerdeError } from './serdes';

const TIMEOUT_MS = 30_000;
const BATCH = 500;
const OFFSET_BEGINNING = -2;

const failed = (message: string, property?: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, message, property ? { property } : {});

const headerText = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));

function headersOf(m: Message): { [key: string]: string }[] {
  return (m.headers ?? []).flatMap((h) => Object.entries(h).map(([k, v]) => ({ [k]: headerText(v) })));
}

function matches(m: Message, filters: Readonly<Record<string, string>> | undefined): boolean {
  if (!filters) return true;
  const headers = m.headers ?? [];
  for (const [name, want] of Object.entries(filters)) {
    // The last header of a name wins, as Kafka's Headers.lastHeader.
    let last: string | undefined;
    for (const h of headers) if (name in h) last = headerText(h[name]);
    if (last !== want) return false;
  }
  return true;
}

export async function consume(ctx: TaskContext, props: ConsumeProperties): Promise<ConsumeOutputs> {
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
  const servers = props.properties['bootstrap.servers'];

  const kafka = await loadKafka();
  const conf = {
    ...clientConfig(props.properties),
    // librdkafka wants a group even for assigned partitions; without groupId nothing is ever committed to it.
    'group.id': groupId ?? `aloft-no-group-${randomUUID()}`,
    'enable.auto.commit': props.properties['enable.auto.commit'] ?? false,
    'isolation.level': props.properties['isolation.level'] ?? 'read_committed',
  };
  let consumer: KafkaConsumer;
  try {
    consumer = new kafka.KafkaConsumer(conf as never, {});
  } catch (err) {
    throw failed(`invalid Kafka properties: ${describeKafkaError(err, props.properties)}`, 'properties');
  }
  let connected = false;
  let dlq: Producer | undefined;
  try {
    try {
      await call((cb) => consumer.connect({ timeout: TIMEOUT_MS }, cb));
      connected = true;
      await subscribe(consumer, props, topics, groupId, since);
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw failed(`cannot connect to Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`, 'properties');
    }
    consumer.setDefaultConsumeTimeout(durationMs(props.pollDuration));

    const next = new Map<string, { topic: string; partition: number; offset: number }>();
    const counts = new Map<string, number>();
    let total = 0;
    const started = Date.now();
    const maxDuration = props.maxDuration ? durationMs(props.maxDuration) : undefined;
    const onError = props.onSerdeError;

    async function* rows(): AsyncGenerator<Record<string, unknown>> {
      for (;;) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? new AloftError(ErrorCode.KILLED, 'the task was stopped');
        const want = props.maxRecords === undefined ? BATCH : Math.min(BATCH, props.maxRecords - total);
        if (want <= 0) return;
        let batch: Message[];
        try {
          batch = await call<Message[]>((cb) => consumer.consume(want, cb));
        } catch (err) {
          throw failed(`Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
        }
        if (batch.length === 0) return;
        for (const m of batch) {
          next.set(`${m.topic}\n${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
          if (!matches(m, props.headerFilters)) continue;
          let key: unknown;
          let value: unknown;
          try {
            await keySerde.prepare?.(m.key as Buffer | null);
            await valueSerde.prepare?.(m.value);
            key = keySerde.decode(m.key as Buffer | null);
            value = valueSerde.decode(m.value);
          } catch (err) {
            if (err instanceof AloftError && !(err instanceof SerdeError)) throw err;
            const where = `record at offset ${m.offset} of ${m.topic} partition ${m.partition}`;
            if (!onError) throw failed(`${where} cannot be deserialized: ${(err as Error).message}`, 'valueDeserializer');
            ctx.logger.warn(`${where} cannot be deserialized (${(err as Error).message}): ${onError.type}`);
            if (onError.type === 'SKIPPED') continue;
            if (onError.type === 'DLQ') {
              dlq ??= await dlqProducer(kafka, props);
              dlq.produce(onError.topic!, -1, m.value, m.key as Buffer | null, m.timestamp, undefined, m.headers);
              continue;
            }
            // STORE: the record goes to the file with its raw bytes as text.
            key = m.key === null || m.key === undefined ? null : Buffer.from(m.key as Buffer).toString('utf8');
            value = m.value === null ? null : m.value.toString('utf8');
          }
          total++;
          counts.set(m.topic, (counts.get(m.topic) ?? 0) + 1);
          yield {
            key, value, topic: m.topic, partition: m.partition,
            timestamp: m.timestamp === undefined || m.timestamp < 0 ? null : new Date(m.timestamp).toISOString(),
            offset: m.offset, headers: headersOf(m),
          };
        }
        if (maxDuration !== undefined && Date.now() - started > maxDuration) return;
      }
    }

    const stored = await ctx.storage.writeRows('consume.jsonl', rows());
    if (dlq) await call((cb) => dlq!.flush(TIMEOUT_MS, cb));
    // Only now that the file is stored: a crash before this point re-reads the same records.
    if (groupId !== undefined && next.size > 0) {
      try {
        consumer.commitSync([...next.values()]);
      } catch (err) {
        throw failed(`the records were stored but committing the offsets of group ${groupId} failed: ${describeKafkaError(err, props.properties)}`);
      }
    }
    for (const [topic, n] of counts) ctx.metrics.counter(`records.${topic}`, n);
    return { messagesCount: total, uri: stored.uri };
  } finally {
    if (dlq) await call((cb) => dlq!.disconnect(TIMEOUT_MS, cb)).catch(() => undefined);
    if (connected) await call((cb) => consumer.disconnect(cb)).catch(() => undefined);
  }
}

/**
 * Kestra's subscriptions: `partitions` or no group assign partitions and start at the beginning (or at
 * `since`); a group with `topic` or `topicPattern` subscribes and starts at its committed offsets.
 */
async function subscribe(consumer: KafkaConsumer, props: ConsumeProperties, topics: string[] | undefined, groupId: string | undefined, since: number | undefined): Promise<void> {
  if (topics && (props.partitions?.length || groupId === undefined)) {
    const parts: { topic: string; partition: number }[] = [];
    for (const topic of topics) {
      if (props.partitions?.length) {
        for (const partition of props.partitions) parts.push({ topic, partition });
        continue;
      }
      const meta = await call<{ topics: { name: string; partitions: { id: number }[] }[] }>((cb) => consumer.getMetadata({ topic, timeout: TIMEOUT_MS }, cb as never));
      const t = meta.topics.find((x) => x.name === topic);
      if (!t || t.partitions.length === 0) throw failed(`topic ${topic} does not exist`, 'topic');
      for (const p of t.partitions) parts.push({ topic, partition: p.id });
    }
    if (since === undefined) {
      consumer.assign(parts.map((p) => ({ ...p, offset: OFFSET_BEGINNING })));
      return;
    }
    const offsets = await call<{ topic: string; partition: number; offset: number }[]>((cb) =>
      consumer.offsetsForTimes(parts.map((p) => ({ ...p, offset: since })), TIMEOUT_MS, cb as never));
    // A partition with nothing at or after `since` answers -1 (its end).
    consumer.assign(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset < 0 ? -1 : o.offset })));
    return;
  }
  if (topics) {
    consumer.subscribe(topics);
    return;
  }
  const pattern = props.topicPattern!;
  try {
    new RegExp(pattern);
  } catch {
    throw failed(`Invalid regex for \`topicPattern\`: ${pattern}`, 'topicPattern');
  }
  // librdkafka treats a topic starting with ^ as a regular expression; Java's matches() is whole-name.
  consumer.subscribe([`^${pattern.replace(/^\^/, '').replace(/\$$/, '')}$`]);
}

async function dlqProducer(kafka: Awaited<ReturnType<typeof loadKafka>>, props: ConsumeProperties): Promise<Producer> {
  const producer = new kafka.Producer(clientConfig(props.properties) as never, {});
  await call((cb) => producer.connect({ timeout: TIMEOUT_MS }, cb));
  producer.setPollInterval(50);
  return producer;
}
