// The Kafka RealtimeTrigger's reader: a consumer in the trigger's group that hands each record to the
// handler in order and commits a batch's offsets only after the handlers of its records resolved,
// i.e. once their executions are stored. Nothing commits automatically.
import type { KafkaTriggerRecord, KafkaTriggerSource } from '../../triggers/kafka';
import { describeKafkaError, openReader, openWriter, type KafkaRecord, type RecordReader, type RecordWriter, type TopicPartitionOffset } from './client';
import { asOutgoing, headersOf, matches } from './consume';
import { SchemaRegistry } from './registry';
import { decodeRecord, deserializer, SerdeError } from './serdes';

/** Records asked per poll, and how long a poll waits before the loop looks at `closing` again. */
const POLL_MAX = 500;
const POLL_WAIT_MS = 500;
/** After a handler failed: the wait before the record comes again. */
const RETRY_MS = 1000;

export const kafkaTriggerSource: KafkaTriggerSource = {
  async subscribe(props, handler, onError, opts) {
    const serdeProperties = props.serdeProperties ?? {};
    const registryUrl = serdeProperties['schema.registry.url'];
    const registry = registryUrl ? new SchemaRegistry(registryUrl, serdeProperties) : undefined;
    const keySerde = deserializer(props.keyDeserializer, registry);
    const valueSerde = deserializer(props.valueDeserializer, registry);
    const groupId = props.groupId ?? props.properties['group.id'];
    const servers = props.properties['bootstrap.servers'];
    let dlq: RecordWriter | undefined;

    const decode = async (m: KafkaRecord): Promise<KafkaTriggerRecord | undefined> => {
      let key: unknown;
      let value: unknown;
      try {
        ({ key, value } = await decodeRecord(keySerde, valueSerde, m));
      } catch (err) {
        if (!(err instanceof SerdeError)) throw err;
        const where = `the record at offset ${m.offset} of ${m.topic} partition ${m.partition} cannot be deserialized (${err.message})`;
        const onSerdeError = props.onSerdeError;
        // A trigger has no task to fail: without onSerdeError the record is reported and passed over.
        onError(new Error(`${where}: ${onSerdeError?.type ?? 'skipped, no onSerdeError'}`));
        if (!onSerdeError || onSerdeError.type === 'SKIPPED') return undefined;
        if (onSerdeError.type === 'DLQ') {
          dlq ??= await openWriter(props.properties, { transactional: false });
          await dlq.write(asOutgoing(m, onSerdeError.topic!));
          await dlq.finish();
          return undefined;
        }
        key = m.key ? m.key.toString('utf8') : null;
        value = m.value ? m.value.toString('utf8') : null;
      }
      return {
        key, value, topic: m.topic, partition: m.partition, offset: m.offset,
        timestamp: new Date(m.timestamp).toISOString(), headers: headersOf(m),
      };
    };

    let reader: RecordReader;
    try {
      const topics = props.topic === undefined ? undefined : Array.isArray(props.topic) ? props.topic : [props.topic];
      reader = await openReader(props.properties, { groupId, topics, pattern: props.topicPattern, rewind: false });
    } catch (err) {
      throw new Error(`cannot consume from Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
    }

    let closing = false;
    const loop = (async () => {
      while (!closing) {
        let batch: KafkaRecord[];
        try {
          batch = await reader.poll(POLL_MAX, POLL_WAIT_MS);
        } catch (err) {
          onError(new Error(`Kafka at ${servers}, group ${groupId}: ${describeKafkaError(err, props.properties)}`));
          await new Promise((r) => setTimeout(r, RETRY_MS));
          continue;
        }
        if (batch.length === 0) opts?.onIdle?.();
        const done = new Map<string, TopicPartitionOffset>();
        const failedAt = new Map<string, TopicPartitionOffset>();
        for (const m of batch) {
          const tp = `${m.topic}\n${m.partition}`;
          // After a failure on a partition, its later records come again from the failed one.
          if (closing || failedAt.has(tp)) continue;
          try {
            if (matches(m, props.headerFilters)) {
              const record = await decode(m);
              if (record) await handler(record);
            }
            done.set(tp, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
          } catch (err) {
            failedAt.set(tp, { topic: m.topic, partition: m.partition, offset: m.offset });
            onError(new Error(`Kafka at ${servers}, group ${groupId}: the record at offset ${m.offset} of ${m.topic} partition ${m.partition}: ${(err as Error).message}`));
          }
        }
        try {
          // What was handled is committed even when a later record's handler failed; that record is read again.
          await reader.commit([...done.values()]);
          for (const at of failedAt.values()) await reader.seek(at);
        } catch (err) {
          onError(new Error(`Kafka at ${servers}, group ${groupId}: ${describeKafkaError(err, props.properties)}`));
        }
        if (failedAt.size > 0) await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    })();

    return {
      async close() {
        closing = true;
        await loop;
        await reader.close();
        await dlq?.close();
      },
    };
  },
};
