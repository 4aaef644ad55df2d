// Trigger types with Kestra's 0.x names and later aliases, their property schemas (strict), and
// the typed form the runtime uses. Flow validation reads `triggerCatalog`.
import { z } from 'zod';
import type { Trigger } from '../model/flow';
import { fetchTypeOf, QueryProperties, type FetchType } from '../plugins/gcp/bigquery/properties';
import { gcpProperties } from '../plugins/gcp/credentials';
import { Action, GsUri, listing } from '../plugins/gcp/gcs/properties';
import { checkTopics, ConsumeFields, Duration, durationMs, type ConsumeProperties } from '../plugins/kafka/properties';
import { conditionListSchema } from './conditions/schema';
import { HttpTriggerProperties } from './http';
import { ConditionKind, type Condition } from './conditions/types';
import { SCHEDULE_CONDITION_KINDS, ScheduleProperties, scheduleSpec, type ScheduleSpec } from './schedule';

export const TriggerKind = { Schedule: 'Schedule', Flow: 'Flow', Webhook: 'Webhook', PubSub: 'PubSub', Kafka: 'Kafka', BigQuery: 'BigQuery', Gcs: 'Gcs', Http: 'Http' } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export interface TriggerTypeInfo {
  /** The canonical (Kestra 0.x) name. */
  type: string;
  aliases: readonly string[];
  kind: TriggerKind;
  /** The type's own properties: everything but id, type, description and disabled. Strict. */
  properties: z.ZodType;
}

export interface TriggerCatalog {
  get(type: string): TriggerTypeInfo | undefined;
  types(): readonly TriggerTypeInfo[];
}

/** Keys every trigger has, whatever its type. */
export const TRIGGER_BASE_KEYS: readonly string[] = ['id', 'type', 'description', 'disabled'];

const ALL_KINDS = new Set(Object.values(ConditionKind) as ConditionKind[]);

export const FlowTriggerProperties = z.object({
  inputs: z.record(z.string(), z.unknown()).optional(),
  conditions: conditionListSchema(ALL_KINDS).optional(),
}).strict();
export type FlowTriggerProperties = z.infer<typeof FlowTriggerProperties>;

export const WebhookProperties = z.object({
  key: z.string().min(1, 'a webhook key cannot be empty').max(256, 'a webhook key has at most 256 characters'),
  conditions: conditionListSchema(SCHEDULE_CONDITION_KINDS).optional(),
}).strict();
export type WebhookProperties = z.infer<typeof WebhookProperties>;

export const SerdeType = { STRING: 'STRING', JSON: 'JSON' } as const;
export type SerdeType = (typeof SerdeType)[keyof typeof SerdeType];

export const PubSubProperties = z.object({
  topic: z.string().min(1),
  subscription: z.string().regex(/^[a-zA-Z][a-zA-Z0-9._~%+-]{2,254}$/, 'a subscription name has 3 to 255 letters, digits or - _ . ~ + %, and starts with a letter').optional(),
  projectId: z.string().optional(),
  serdeType: z.enum([SerdeType.STRING, SerdeType.JSON]).optional(),
  /** Aloft: inputs of the started execution, rendered with `trigger.*`. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  conditions: conditionListSchema(SCHEDULE_CONDITION_KINDS).optional(),
  // Accepted so Kestra flows load unchanged; Aloft starts one execution per message and ignores them.
  serviceAccount: z.string().optional(),
  scopes: z.array(z.string()).optional(),
  interval: z.string().optional(),
  maxRecords: z.number().int().positive().optional(),
  maxDuration: z.string().optional(),
  autoCreateSubscription: z.boolean().optional(),
}).strict();
export type PubSubProperties = z.infer<typeof PubSubProperties>;

const triggerFields = {
  /** Aloft: inputs of the started execution, rendered with `trigger.*`. */
  inputs: z.record(z.string(), z.unknown()).optional(),
  conditions: conditionListSchema(SCHEDULE_CONDITION_KINDS).optional(),
};
// Both commit the group's offsets once the executions exist, so a group is required (Kestra's too).
const needsGroup = <T extends z.ZodType<{ groupId?: string; properties: Record<string, string> }, unknown>>(schema: T) =>
  schema.refine((p) => p.groupId !== undefined || p.properties['group.id'] !== undefined, { message: 'a Kafka trigger needs `groupId`: it commits its offsets there', path: ['groupId'] });

/** io.kestra.plugin.kafka.Trigger: Consume's properties, polled every `interval`. */
export const KafkaTriggerProperties = needsGroup(checkTopics(ConsumeFields.extend({ interval: Duration.default('PT1M'), ...triggerFields })));
/** io.kestra.plugin.kafka.RealtimeTrigger: one execution per record, so no batch bounds. */
export const KafkaRealtimeTriggerProperties = needsGroup(checkTopics(ConsumeFields.omit({ pollDuration: true, maxRecords: true, maxDuration: true }).extend(triggerFields)));

/** io.kestra.plugin.gcp.bigquery.Trigger: Query's connection and fetch properties, run every `interval`. */
export const BigQueryTriggerProperties = QueryProperties.pick({
  projectId: true, serviceAccount: true, scopes: true, location: true, retryAuto: true, retryReasons: true, retryMessages: true,
  sql: true, legacySql: true, useLegacySql: true, fetch: true, store: true, fetchOne: true, fetchType: true, maxResults: true,
}).extend({ interval: Duration.default('PT1M'), ...triggerFields }).strict()
  // Kestra fires when the query returned rows; without a fetch it counts none (and fails on a null size).
  .refine((p) => p.fetch === true || p.store === true || p.fetchOne === true || (p.fetchType !== undefined && p.fetchType !== 'NONE'), {
    message: 'a BigQuery Trigger fires on the rows its query returns: set fetch, fetchOne or store (or fetchType FETCH, FETCH_ONE or STORE)', path: ['fetch'],
  });
export type BigQueryTriggerProperties = z.infer<typeof BigQueryTriggerProperties>;

export const GcsTriggerOn = z.enum(['CREATE', 'UPDATE', 'CREATE_OR_UPDATE']);
export type GcsTriggerOn = z.infer<typeof GcsTriggerOn>;

/** io.kestra.plugin.gcp.gcs.Trigger: Downloads' listing and action, every `interval`. */
export const GcsTriggerProperties = z.object({
  ...gcpProperties,
  from: listing.from,
  listingType: listing.listingType,
  regExp: listing.regExp,
  action: Action,
  moveDirectory: GsUri.optional(),
  interval: Duration.default('PT1M'),
  /** Kestra 0.15+: which objects fire with action NONE (those not seen yet, those changed since, or both). */
  on: GcsTriggerOn.default('CREATE_OR_UPDATE'),
  // Kestra 0.15+ names and expires the seen-object state; Aloft keeps it with the trigger's state.
  stateKey: z.string().optional(),
  stateTtl: Duration.optional(),
  ...triggerFields,
}).strict().refine((p) => p.action !== 'MOVE' || p.moveDirectory !== undefined, { message: 'moveDirectory is required when action is MOVE', path: ['moveDirectory'] });
export type GcsTriggerProperties = z.infer<typeof GcsTriggerProperties>;

/** io.kestra.plugin.core.http.Trigger: Request's properties, sent every `interval`. */
export const HttpPollProperties = HttpTriggerProperties.extend({ conditions: triggerFields.conditions }).strict();
export type HttpPollProperties = z.infer<typeof HttpPollProperties>;

const OLD = 'io.kestra.core.models.triggers.types.';
const NEW = 'io.kestra.plugin.core.trigger.';

export const KAFKA_TRIGGER = 'io.kestra.plugin.kafka.Trigger';
export const KAFKA_REALTIME_TRIGGER = 'io.kestra.plugin.kafka.RealtimeTrigger';
export const BIGQUERY_TRIGGER = 'io.kestra.plugin.gcp.bigquery.Trigger';
export const GCS_TRIGGER = 'io.kestra.plugin.gcp.gcs.Trigger';
export const HTTP_TRIGGER = 'io.kestra.plugin.core.http.Trigger';

const TYPES: readonly TriggerTypeInfo[] = [
  { type: `${OLD}Schedule`, aliases: [`${NEW}Schedule`], kind: TriggerKind.Schedule, properties: ScheduleProperties },
  { type: `${OLD}Flow`, aliases: [`${NEW}Flow`], kind: TriggerKind.Flow, properties: FlowTriggerProperties },
  { type: `${OLD}Webhook`, aliases: [`${NEW}Webhook`], kind: TriggerKind.Webhook, properties: WebhookProperties },
  { type: 'io.kestra.plugin.gcp.pubsub.Trigger', aliases: [], kind: TriggerKind.PubSub, properties: PubSubProperties },
  { type: 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger', aliases: [], kind: TriggerKind.PubSub, properties: PubSubProperties },
  { type: KAFKA_TRIGGER, aliases: [], kind: TriggerKind.Kafka, properties: KafkaTriggerProperties },
  { type: KAFKA_REALTIME_TRIGGER, aliases: [], kind: TriggerKind.Kafka, properties: KafkaRealtimeTriggerProperties },
  { type: BIGQUERY_TRIGGER, aliases: [], kind: TriggerKind.BigQuery, properties: BigQueryTriggerProperties },
  { type: GCS_TRIGGER, aliases: [], kind: TriggerKind.Gcs, properties: GcsTriggerProperties },
  // Kestra 0.x had it in plugin-fs.
  { type: HTTP_TRIGGER, aliases: ['io.kestra.plugin.fs.http.Trigger'], kind: TriggerKind.Http, properties: HttpPollProperties },
];

const BY_NAME = new Map<string, TriggerTypeInfo>();
for (const t of TYPES) for (const name of [t.type, ...t.aliases]) BY_NAME.set(name, t);

export const triggerCatalog: TriggerCatalog = {
  get: (type) => BY_NAME.get(type),
  types: () => TYPES,
};

interface Base {
  id: string;
  /** The canonical type name. */
  type: string;
  disabled: boolean;
}

/** A trigger of a flow, its properties checked and typed. */
export type ParsedTrigger =
  | (Base & { kind: 'Schedule'; spec: ScheduleSpec })
  | (Base & { kind: 'Flow'; inputs?: Record<string, unknown>; conditions: Condition[] })
  | (Base & { kind: 'Webhook'; key: string; conditions: Condition[] })
  | (Base & {
    kind: 'PubSub'; topic: string; subscription?: string; projectId?: string; serdeType: SerdeType;
    inputs?: Record<string, unknown>; conditions: Condition[];
  })
  | (Base & {
    kind: 'Kafka'; realtime: boolean;
    /** What to read, as Consume takes it (templates in `properties` not yet rendered). */
    consume: ConsumeProperties;
    /** The polling Trigger's interval. */
    intervalMs: number;
    inputs?: Record<string, unknown>; conditions: Condition[];
  })
  | (Base & {
    kind: 'BigQuery';
    /** The Query it runs (templates not yet rendered) and what it fetches. */
    query: Omit<BigQueryTriggerProperties, 'interval' | 'inputs' | 'conditions'>; fetchType: FetchType;
    intervalMs: number; inputs?: Record<string, unknown>; conditions: Condition[];
  })
  | (Base & {
    kind: 'Gcs';
    /** The listing and action (templates not yet rendered). */
    gcs: Omit<GcsTriggerProperties, 'interval' | 'inputs' | 'conditions'>;
    intervalMs: number; inputs?: Record<string, unknown>; conditions: Condition[];
  })
  | (Base & {
    kind: 'Http';
    /** The request and its response condition (templates not yet rendered). */
    http: Omit<HttpPollProperties, 'interval' | 'inputs' | 'conditions'>;
    intervalMs: number; inputs?: Record<string, unknown>; conditions: Condition[];
  });
export type ParsedTriggerOf<K extends TriggerKind> = Extract<ParsedTrigger, { kind: K }>;

export type TriggerParse = { ok: true; trigger: ParsedTrigger } | { ok: false; message: string } | { ok: 'unknown' };

/** Checks a trigger of a stored flow. `unknown` for types Aloft does not run (parseFlow warned already). */
export function parseTrigger(trigger: Trigger, defaultTimezone = 'UTC'): TriggerParse {
  const info = triggerCatalog.get(trigger.type);
  if (!info) return { ok: 'unknown' };
  const { id, type: _type, description: _d, disabled, ...props } = trigger;
  const parsed = info.properties.safeParse(props);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { ok: false, message: `trigger ${id}: ${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` };
  }
  const base: Base = { id, type: info.type, disabled: disabled === true };
  const p = parsed.data as Record<string, any>;
  switch (info.kind) {
    case 'Schedule':
      return { ok: true, trigger: { ...base, kind: info.kind, spec: scheduleSpec(p as ScheduleProperties, defaultTimezone) } };
    case 'Flow':
      return { ok: true, trigger: { ...base, kind: info.kind, ...(p.inputs ? { inputs: p.inputs } : {}), conditions: withMultipleIds(p.conditions ?? []) } };
    case 'Webhook':
      return { ok: true, trigger: { ...base, kind: info.kind, key: p.key, conditions: p.conditions ?? [] } };
    case 'PubSub':
      return {
        ok: true,
        trigger: {
          ...base, kind: info.kind, topic: p.topic, serdeType: p.serdeType ?? SerdeType.STRING, conditions: p.conditions ?? [],
          ...(p.subscription ? { subscription: p.subscription } : {}), ...(p.projectId ? { projectId: p.projectId } : {}),
          ...(p.inputs ? { inputs: p.inputs } : {}),
        },
      };
    case 'Kafka': {
      const { inputs, conditions, interval, ...consume } = p;
      const realtime = info.type === KAFKA_REALTIME_TRIGGER;
      return {
        ok: true,
        trigger: {
          ...base, kind: info.kind, realtime, consume: { pollDuration: 'PT5S', ...consume } as ConsumeProperties,
          intervalMs: interval ? durationMs(interval as string) : 60_000, conditions: conditions ?? [], ...(inputs ? { inputs } : {}),
        },
      };
    }
    case 'BigQuery': {
      const { inputs, conditions, interval, ...query } = p as BigQueryTriggerProperties;
      return {
        ok: true,
        trigger: {
          ...base, kind: info.kind, query, fetchType: fetchTypeOf(query), intervalMs: durationMs(interval),
          conditions: conditions ?? [], ...(inputs ? { inputs } : {}),
        },
      };
    }
    case 'Gcs': {
      const { inputs, conditions, interval, ...gcs } = p as GcsTriggerProperties;
      return { ok: true, trigger: { ...base, kind: info.kind, gcs, intervalMs: durationMs(interval), conditions: conditions ?? [], ...(inputs ? { inputs } : {}) } };
    }
    case 'Http': {
      const { inputs, conditions, interval, ...http } = p as HttpPollProperties;
      return { ok: true, trigger: { ...base, kind: info.kind, http, intervalMs: durationMs(interval), conditions: conditions ?? [], ...(inputs ? { inputs } : {}) } };
    }
  }
}

/** A MultipleCondition without an id is named after its position, so its window survives reloads. */
function withMultipleIds(conditions: Condition[]): Condition[] {
  return conditions.map((c, i) => (c.kind === 'Multiple' && c.id === '' ? { ...c, id: `multiple-${i}` } : c));
}
