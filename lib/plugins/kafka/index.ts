// The runnable task types of the `kafka` plugin group.
// Produce is a placeholder until the Kafka plugin lands: its properties are Kestra's
// (kestra-io/plugin-kafka 0.4, serializers defaulting to STRING as from 0.5), so flows validate,
// and running it fails with NOT_IMPLEMENTED.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';

export const SerdeType = z.enum([
  'STRING', 'INTEGER', 'FLOAT', 'DOUBLE', 'LONG', 'SHORT', 'BYTE_ARRAY', 'BYTE_BUFFER', 'BYTES', 'UUID', 'VOID', 'AVRO', 'JSON',
]);
export type SerdeType = z.infer<typeof SerdeType>;

export const ProduceProperties = z.object({
  /** Kafka client properties, such as bootstrap.servers. */
  properties: z.record(z.string(), z.string()),
  /** Serializer configuration, such as schema.registry.url. */
  serdeProperties: z.record(z.string(), z.string()).optional(),
  topic: z.string(),
  /** An internal storage URI of a row file, one message (a map) or a list of them. */
  from: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]),
  keySerializer: SerdeType.optional(),
  valueSerializer: SerdeType.optional(),
  keyAvroSchema: z.string().optional(),
  valueAvroSchema: z.string().optional(),
}).strict();
export type ProduceProperties = z.infer<typeof ProduceProperties>;

export const ProduceOutputs = z.object({ messagesCount: z.number().int() });
export type ProduceOutputs = z.infer<typeof ProduceOutputs>;

const notImplemented = (type: string) => async (): Promise<never> => {
  throw new AloftError(ErrorCode.NOT_IMPLEMENTED, `${type} is not implemented yet`);
};

export const Produce: RunnableTaskDefinition<ProduceProperties, ProduceOutputs> = {
  type: 'io.kestra.plugin.kafka.Produce',
  aliases: [],
  group: 'kafka',
  properties: ProduceProperties,
  outputs: ProduceOutputs,
  run: notImplemented('io.kestra.plugin.kafka.Produce'),
};

export const kafkaTasks: readonly RunnableTaskDefinition[] = [Produce];
