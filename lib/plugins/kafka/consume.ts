// io.kestra.plugin.kafka.Consume: reads until nothing arrives for pollDuration (or maxRecords /
// maxDuration), writes one row per record to a JSON Lines file, and only once that file is stored
// commits the group's offsets, so a failure anywhere before leaves them where they were.
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { clientConfig, describeKafkaError, ignoredProperties, openReader, openWriter, type KafkaRecord, type RecordReader, type RecordWriter } from './client';
import { durationMs, type ConsumeOutputs, type ConsumeProperties } from './properties';
import { SchemaRegistry } from './registry';
import { decodeRecord, deserializer, SerdeError } from './serdes';

/** Records asked of the client per poll. */
const POLL_MAX = 2000;

const failed = (message: string, property?: string): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, message, property ? { property } : {});

/** Headers as Kestra writes them: a list of one-entry maps, a repeated name once per value. */
export const headersOf = (m: KafkaRecord): { [key: string]: string }[] => m.headers.map(([k, v]) => ({ [k]: v.toString('utf8') }));

export function matches(m: KafkaRecord, filters: Readonly<Record<string, string>> | undefined): boolean {
  if (!filters) return true;
  for (const [name, want] of Object.entries(filters)) {
    // The last header of a name counts, as Kafka's Headers.lastHeader.
    let last: Buffer | undefined;
    for (const [k, v] of m.headers) if (k === name) last = v;
    if (last === undefined || last.toString('utf8') !== want) return false;
  }
  return true;
}

/** A record as it was, for a dead-letter topic. */
export const asOutgoing = (m: KafkaRecord, topic: string) => {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of m.headers) (headers[k] ??= []).push(v.toString('utf8'));
  return { topic, key: m.key, value: m.value, timestamp: m.timestamp, headers };
};

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
  if (props.topicPattern !== undefined) {
    try {
      // Java's Pattern.matcher(topic).matches(): the whole name (the reader anchors it so).
      new RegExp(`^(?:${props.topicPattern})$`);
    } catch {
      throw failed(`Invalid regex for \`topicPattern\`: ${props.topicPattern}`, 'topicPattern');
    }
  }
  const servers = props.properties['bootstrap.servers'];
  clientConfig(props.properties);
  const ignored = ignoredProperties(props.properties);
  if (ignored.length > 0) ctx.logger.warn(`properties this Kafka client has no equivalent for, ignored: ${ignored.join(', ')}`);

  let reader: RecordReader | undefined;
  let dlq: RecordWriter | undefined;
  try {
    try {
      reader = await openReader(props.properties, {
        groupId, topics, pattern: props.topicPattern, partitions: props.partitions, since,
        // Kestra: `partitions`, or no group, read from the beginning; a group from its committed offsets.
        rewind: groupId === undefined || (props.partitions?.length ?? 0) > 0,
      });
    } catch (err) {
      const message = describeKafkaError(err, props.properties);
      if (/^topic .* does not exist$/.test(message)) throw failed(message, 'topic');
      throw failed(`cannot consume from Kafka at ${servers}: ${message}`, 'properties');
    }
    const source = reader;

    const next = new Map<string, { topic: string; partition: number; offset: number }>();
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
        let batch: KafkaRecord[];
        try {
          batch = await source.poll(POLL_MAX, pollMs);
        } catch (err) {
          throw failed(`Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
        }
        if (batch.length === 0) return;
        for (const m of batch) {
          if (props.maxRecords !== undefined && total >= props.maxRecords) return;
          // Where the group goes on from: the offset after the last record read.
          next.set(`${m.topic}\n${m.partition}`, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
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
            const where = `the record at offset ${m.offset} of ${m.topic} partition ${m.partition}`;
            if (!onError) throw failed(`${where} cannot be deserialized: ${err.message}`, 'valueDeserializer');
            ctx.logger.warn(`${where} cannot be deserialized (${err.message}): ${onError.type}`);
            if (onError.type === 'SKIPPED') continue;
            if (onError.type === 'DLQ') {
              dlq ??= await openWriter(props.properties, { transactional: false });
              await dlq.write(asOutgoing(m, onError.topic!));
              await dlq.finish();
              continue;
            }
            // STORE: the record goes to the file with its raw bytes as text.
            key = m.key ? m.key.toString('utf8') : null;
            value = m.value ? m.value.toString('utf8') : null;
          }
          total++;
          counts.set(m.topic, (counts.get(m.topic) ?? 0) + 1);
          yield {
            key, value, topic: m.topic, partition: m.partition,
            timestamp: new Date(m.timestamp).toISOString(), offset: m.offset, headers: headersOf(m),
          };
        }
      }
    }

    const stored = await ctx.storage.writeRows('consume.jsonl', rows());
    await hooks.beforeCommit?.({ messagesCount: total, uri: stored.uri });
    // Only now that the file is stored: a failure before this point re-reads the same records.
    if (groupId !== undefined && next.size > 0) {
      try {
        await source.commit([...next.values()]);
      } catch (err) {
        throw failed(`the records were stored but committing the offsets of group ${groupId} failed: ${describeKafkaError(err, props.properties)}`);
      }
    }
    for (const [topic, n] of counts) ctx.metrics.counter(`records.${topic}`, n);
    return { messagesCount: total, uri: stored.uri };
  } finally {
    await dlq?.close();
    await reader?.close();
  }
}
