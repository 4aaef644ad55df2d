// The properties of the Kafka tasks, with Kestra's names and defaults (kestra-io/plugin-kafka: 0.4 for
// Produce's required serializers, the newest version for everything Consume and `transactional` add,
// with their newest defaults: 0.4 had neither, so it has no default to keep).
import { z } from 'zod';

export const SerdeType = z.enum([
  'STRING', 'INTEGER', 'FLOAT', 'DOUBLE', 'LONG', 'SHORT', 'BYTE_ARRAY', 'BYTE_BUFFER', 'BYTES', 'UUID', 'VOID', 'AVRO', 'JSON', 'PROTOBUF',
]);
export type SerdeType = z.infer<typeof SerdeType>;

/** Kafka client properties: Java client keys, most of which librdkafka shares. */
export const ConnectionProperties = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
  .refine((p) => typeof p['bootstrap.servers'] === 'string' && p['bootstrap.servers'].trim() !== '', { message: "must contain 'bootstrap.servers'" });

const Flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const Duration = z.string().regex(/^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/, 'must be an ISO 8601 duration such as PT5S');
const Whole = z.union([z.number().int().positive(), z.string().regex(/^\d+$/, 'must be a whole number').transform(Number)]);

export const ProduceProperties = z.object({
  /** Kafka client properties; must contain bootstrap.servers. */
  properties: ConnectionProperties,
  /** Serializer configuration, such as schema.registry.url. */
  serdeProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  topic: z.string().min(1),
  /** An internal storage URI of a row file, one message (a map) or a list of them. */
  from: z.union([z.string().min(1), z.record(z.string(), z.unknown()), z.array(z.record(z.string(), z.unknown()))]),
  keySerializer: SerdeType,
  valueSerializer: SerdeType,
  keyAvroSchema: z.string().optional(),
  valueAvroSchema: z.string().optional(),
  /** Aloft's own: the .proto text for a PROTOBUF key; its first message is the record's type. */
  keyProtobufSchema: z.string().optional(),
  /** Aloft's own: the .proto text for a PROTOBUF value; its first message is the record's type. */
  valueProtobufSchema: z.string().optional(),
  /** One transaction around every record (Kestra 1.x, default true; 0.4 had no such property). */
  transactional: Flag.optional(),
}).strict();
export type ProduceProperties = z.infer<typeof ProduceProperties>;

export const ProduceOutputs = z.object({ messagesCount: z.number().int() });
export type ProduceOutputs = z.infer<typeof ProduceOutputs>;

export const OnSerdeError = z.object({
  type: z.enum(['SKIPPED', 'STORE', 'DLQ']).default('SKIPPED'),
  topic: z.string().min(1).optional(),
}).strict().refine((o) => o.type !== 'DLQ' || o.topic !== undefined, { message: 'type DLQ needs a topic', path: ['topic'] });
export type OnSerdeError = z.infer<typeof OnSerdeError>;

/** Consume's fields, before the checks across them: the Kafka triggers take them too. */
export const ConsumeFields = z.object({
  properties: ConnectionProperties,
  serdeProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
  topic: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  topicPattern: z.string().min(1).optional(),
  partitions: z.array(z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/).transform(Number)])).optional(),
  groupId: z.string().min(1).optional(),
  keyDeserializer: SerdeType.default('STRING'),
  valueDeserializer: SerdeType.default('STRING'),
  /** An ISO 8601 date-time: without a group, start at the first record at or after it. */
  since: z.string().optional(),
  pollDuration: Duration.default('PT5S'),
  maxRecords: Whole.optional(),
  maxDuration: Duration.optional(),
  headerFilters: z.record(z.string(), z.string()).optional(),
  onSerdeError: OnSerdeError.optional(),
}).strict();

/** Kestra's checks across Consume's topic, topicPattern and group, shared with the Kafka triggers. */
export const checkTopics = <T extends z.ZodType<{ topic?: unknown; topicPattern?: string; groupId?: string; properties: Record<string, string> }, unknown>>(schema: T) => schema
  .refine((p) => p.topic !== undefined || p.topicPattern !== undefined, { message: 'Invalid Configuration: You must configure one of the following two settings: `topic` or `topicPattern`.' })
  .refine((p) => p.topic === undefined || p.topicPattern === undefined, { message: 'Invalid Configuration: Both `topic` and `topicPattern` was configured. You must configure only one of the following two settings: `topic` or `topicPattern`.' })
  .refine((p) => p.topicPattern === undefined || p.groupId !== undefined || p.properties['group.id'] !== undefined, { message: 'Invalid Configuration: `groupId` cannot be null when `topicPattern` is configured.' });

export const ConsumeProperties = checkTopics(ConsumeFields);
export type ConsumeProperties = z.infer<typeof ConsumeProperties>;

export const ConsumeOutputs = z.object({ messagesCount: z.number().int(), uri: z.string() });
export type ConsumeOutputs = z.infer<typeof ConsumeOutputs>;

/** Milliseconds of an ISO 8601 duration already checked by `Duration`. */
export function durationMs(iso: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(iso);
  if (!m) return 0;
  return Math.round(((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000);
}
