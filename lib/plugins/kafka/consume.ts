// io.kestra.plugin.kafka.Consume: reads until nothing arrives for pollDuration (or maxRecords /
// maxDuration), writes one row per record to a JSON Lines file, and only once that file is stored
// commits the group's offsets, so a failure anywhere before leaves them where they were.
import { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { clientConfig, describeKafkaError, ignoredProperties, openReader, openWriter, type KafkaRecord, type RecordReader, type RecordWriter } from './client';
import { durationMs, type ConsumeOutputs, type ConsumeProperties } from './properties';
import { SchemaRegistry } from './registry';
import { deserializer, prepareRecord, SerdeError } from './serdes';

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

/** JSON text of a decoded key or value; a deserializer's undefined is written as null. */
const json = (v: unknown): string => (v === undefined ? 'null' : JSON.stringify(v));

/**
 * One row of the output file: key, value, topic, partition, timestamp, offset and headers (key and
 * value as JSON text), the line `JSON.stringify` writes for that object, spelled out so no object is built for it.
 */
export function rowLine(m: KafkaRecord, key: string, value: string, timestamp: string): string {
  const headers = m.headers.length === 0 ? '[]' : JSON.stringify(headersOf(m));
  return `{"key":${key},"value":${value},"topic":${JSON.stringify(m.topic)},"partition":${m.partition},"timestamp":"${timestamp}","offset":${m.offset},"headers":${headers}}\n`;
}

/** ISO 8601 text of epoch milliseconds, remembering the last: the records of a batch mostly share their millisecond. */
export function isoTimestamps(): (ms: number) => string {
  let last = Number.NaN;
  let text = '';
  return (ms) => {
    if (ms !== last) {
      text = new Date(ms).toISOString();
      last = ms;
    }
    return text;
  };
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
  const keyText = keySerde.text ?? ((b: Buffer | null) => json(keySerde.decode(b)));
  const valueText = valueSerde.text ?? ((b: Buffer | null) => json(valueSerde.decode(b)));
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

    // Where the group goes on from, by topic and partition: the offset after the last record read.
    const next = new Map<string, Map<number, number>>();
    const counts = new Map<string, number>();
    let total = 0;
    const started = Date.now();
    const pollMs = durationMs(props.pollDuration);
    const maxDuration = props.maxDuration ? durationMs(props.maxDuration) : undefined;
    const onError = props.onSerdeError;
    const needsPrepare = keySerde.prepare !== undefined || valueSerde.prepare !== undefined;
    const timestamps = isoTimestamps();

    /** The rows as JSON Lines text, in pieces of many rows: a row at a time through a stream would cost more than the row. */
    async function* chunks(): AsyncGenerator<string> {
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
        let text = '';
        let topic: string | undefined;
        let offsets: Map<number, number> | undefined;
        let read = 0;
        for (const m of batch) {
          if (props.maxRecords !== undefined && total >= props.maxRecords) break;
          // A poll's records come a partition's run at a time: the topic's entries are looked up once a run.
          if (m.topic !== topic) {
            if (topic !== undefined) counts.set(topic, (counts.get(topic) ?? 0) + read);
            topic = m.topic;
            read = 0;
            offsets = next.get(topic);
            if (!offsets) next.set(topic, (offsets = new Map()));
          }
          offsets!.set(m.partition, m.offset + 1);
          if (!matches(m, props.headerFilters)) continue;
          let key: string;
          let value: string;
          try {
            // Only a registry type needs a promise (its schema fetch): the others decode in place. Either
            // way a JSON key or value is its own text, with no registry type on the other side or with one.
            if (needsPrepare) await prepareRecord(keySerde, valueSerde, m);
            key = keyText(m.key);
            value = valueText(m.value);
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
            key = m.key ? JSON.stringify(m.key.toString('utf8')) : 'null';
            value = m.value ? JSON.stringify(m.value.toString('utf8')) : 'null';
          }
          total++;
          read++;
          text += rowLine(m, key, value, timestamps(m.timestamp));
          // Pieces of about 64 KiB, as writeRows writes: far larger text is flattened outside V8's young
          // generation and is left for its slower collections.
          if (text.length >= 65_536) {
            yield text;
            text = '';
          }
        }
        if (topic !== undefined) counts.set(topic, (counts.get(topic) ?? 0) + read);
        if (text) yield text;
      }
    }

    const stored = await ctx.storage.put('consume.jsonl', Readable.from(chunks()));
    await hooks.beforeCommit?.({ messagesCount: total, uri: stored.uri });
    // Only now that the file is stored: a failure before this point re-reads the same records.
    if (groupId !== undefined && next.size > 0) {
      const offsets = [...next].flatMap(([topic, partitions]) => [...partitions].map(([partition, offset]) => ({ topic, partition, offset })));
      try {
        await source.commit(offsets);
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
