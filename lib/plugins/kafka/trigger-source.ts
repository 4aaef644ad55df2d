// The Kafka RealtimeTrigger's reader (kafkajs): a consumer in the trigger's group that hands each
// record to the handler in order and commits the offsets of a batch only after the handlers of its
// records resolved, i.e. once their executions are stored. Nothing commits automatically.
import type { Consumer, EachBatchPayload, Producer } from 'kafkajs';
import type { KafkaTriggerRecord, KafkaTriggerSource } from '../../triggers/kafka';
import { clientConfig, describeKafkaError, loadKafka } from './client';
import { headersOf, matches } from './consume';
import { SchemaRegistry } from './registry';
import { decodeRecord, deserializer, SerdeError } from './serdes';

export const kafkaTriggerSource: KafkaTriggerSource = {
  async subscribe(props, handler, onError) {
    const serdeProperties = props.serdeProperties ?? {};
    const registryUrl = serdeProperties['schema.registry.url'];
    const registry = registryUrl ? new SchemaRegistry(registryUrl, serdeProperties) : undefined;
    const keySerde = deserializer(props.keyDeserializer, registry);
    const valueSerde = deserializer(props.valueDeserializer, registry);
    const groupId = props.groupId ?? props.properties['group.id'];
    const servers = props.properties['bootstrap.servers'];
    const { Kafka } = await loadKafka();
    const kafka = new Kafka(clientConfig(props.properties));
    const consumer: Consumer = kafka.consumer({
      groupId,
      readUncommitted: props.properties['isolation.level'] === 'read_uncommitted',
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500,
      ...(props.properties['session.timeout.ms'] ? { sessionTimeout: Number(props.properties['session.timeout.ms']) } : {}),
    });
    let dlq: Producer | undefined;
    consumer.on(consumer.events.CRASH, (e) => onError(new Error(`Kafka at ${servers}, group ${groupId}: ${describeKafkaError(e.payload.error, props.properties)}`)));

    const decode = async (batch: EachBatchPayload['batch'], m: EachBatchPayload['batch']['messages'][number]): Promise<KafkaTriggerRecord | undefined> => {
      let key: unknown;
      let value: unknown;
      try {
        ({ key, value } = await decodeRecord(keySerde, valueSerde, m));
      } catch (err) {
        if (!(err instanceof SerdeError)) throw err;
        const where = `the record at offset ${m.offset} of ${batch.topic} partition ${batch.partition} cannot be deserialized (${err.message})`;
        const onSerdeError = props.onSerdeError;
        // A trigger has no task to fail: without onSerdeError the record is reported and passed over.
        onError(new Error(`${where}: ${onSerdeError?.type ?? 'skipped, no onSerdeError'}`));
        if (!onSerdeError || onSerdeError.type === 'SKIPPED') return undefined;
        if (onSerdeError.type === 'DLQ') {
          if (!dlq) {
            dlq = kafka.producer();
            await dlq.connect();
          }
          await dlq.send({ topic: onSerdeError.topic!, messages: [{ key: m.key, value: m.value, headers: m.headers, timestamp: m.timestamp }] });
          return undefined;
        }
        key = m.key ? m.key.toString('utf8') : null;
        value = m.value ? m.value.toString('utf8') : null;
      }
      return {
        key, value, topic: batch.topic, partition: batch.partition, offset: Number(m.offset),
        timestamp: new Date(Number(m.timestamp)).toISOString(), headers: headersOf(m),
      };
    };

    try {
      await consumer.connect();
      const topics = props.topic === undefined ? undefined : Array.isArray(props.topic) ? props.topic : [props.topic];
      const fromBeginning = props.properties['auto.offset.reset'] === 'earliest';
      await consumer.subscribe(topics ? { topics, fromBeginning } : { topics: [new RegExp(`^(?:${props.topicPattern})$`)], fromBeginning });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          let done: string | undefined;
          try {
            for (const m of batch.messages) {
              if (!isRunning() || isStale()) break;
              if (matches(m, props.headerFilters)) {
                const record = await decode(batch, m);
                if (record) await handler(record);
              }
              resolveOffset(m.offset);
              done = m.offset;
              await heartbeat();
            }
          } finally {
            // What was handled is committed even when a later record's handler failed: kafkajs then
            // restarts the consumer at the committed offset, and that record comes again.
            if (done !== undefined) await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(done) + 1) }]);
          }
        },
      });
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw new Error(`cannot consume from Kafka at ${servers}: ${describeKafkaError(err, props.properties)}`);
    }
    return {
      async close() {
        await consumer.disconnect().catch(() => undefined);
        if (dlq) await dlq.disconnect().catch(() => undefined);
      },
    };
  },
};

