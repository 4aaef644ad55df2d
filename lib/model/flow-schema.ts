// The flow document as written, before normalisation: one schema per top-level field, so each
// field's problems are reported on their own. Tasks are checked against the catalog elsewhere.
import { z } from 'zod';
import { FlowCheck, FlowConcurrency, FlowInput, FlowOutput, TaskDefault, TriggerBase } from './flow';
import { Retry } from './retry';
import { RESERVED_SEGMENTS } from './storage-uri';

// Kestra (AbstractFlow): id `^[a-zA-Z0-9][a-zA-Z0-9._-]*`, 1 to 100 characters; namespace
// `^[a-z0-9][a-z0-9._-]*`, 1 to 150. So `.` and `..` are refused. A namespace's dots also become
// folders in internal storage, so none of its parts may be empty either (`a..b`, `a.`), and names
// internal storage puts after a flow are reserved (see RESERVED_SEGMENTS). Nor may a part start with
// `_`, unlike Kestra's: namespace `t._files` would put its flows' files inside namespace `t`'s
// namespace files (`t/_files/`), which flows of `t` read and write.
export const FlowId = z.string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'flow ids start with a letter or a digit, then use letters, digits, ., - and _')
  .max(100, 'flow ids are at most 100 characters')
  .refine((id) => !RESERVED_SEGMENTS.has(id), { message: `${[...RESERVED_SEGMENTS].join(' and ')} are reserved by internal storage and cannot be flow ids` });
export const Namespace = z.string()
  .regex(/^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$/, 'namespaces start with a lower-case letter or a digit, then use lower-case letters, digits, - and _, in parts separated by single dots')
  .max(150, 'namespaces are at most 150 characters')
  .refine((ns) => !ns.split('.').some((part) => RESERVED_SEGMENTS.has(part)), {
    message: `${[...RESERVED_SEGMENTS].join(' and ')} are reserved by internal storage and cannot be parts of a namespace`,
  })
  .refine((ns) => !ns.split('.').some((part) => part.startsWith('_')), { message: 'namespace parts cannot start with _ (internal storage keeps namespace files in _files)' });

const LabelValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
/** A map, or Kestra's later list of `{key, value}`. */
export const Labels = z.union([
  z.record(z.string(), LabelValue),
  z.array(z.object({ key: z.string(), value: LabelValue }).strict()),
]);

/** An input as written: `name:` (Kestra 0.x) or `id:` (later). */
export const InputDocument = FlowInput.omit({ id: true }).extend({ id: z.string().optional(), name: z.string().optional() }).strict();
export type InputDocument = z.infer<typeof InputDocument>;
export const INPUT_ID = FlowInput.shape.id;

export const TriggerDocument = TriggerBase.extend({ id: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'trigger ids use letters, digits, - and _') });

/** Kestra 0.x `listeners`: accepted so old flows load, then ignored with a warning. */
export const Listener = z.object({
  description: z.string().optional(),
  conditions: z.array(z.unknown()).optional(),
  tasks: z.array(z.unknown()).optional(),
}).strict();

/** Each top-level field and its schema; `tasks`, `errors` hold tasks checked per type. */
export const TOP_LEVEL: Readonly<Record<string, z.ZodType>> = {
  id: FlowId,
  namespace: Namespace,
  revision: z.number().int().min(1),
  description: z.string(),
  labels: Labels,
  inputs: z.array(z.unknown()),
  variables: z.record(z.string(), z.unknown()),
  /** The flow's retry policy: used by tasks with no policy of their own or on an ancestor. */
  retry: Retry,
  tasks: z.array(z.unknown()).min(1, 'a flow needs at least one task'),
  errors: z.array(z.unknown()),
  finally: z.array(z.unknown()),
  afterExecution: z.array(z.unknown()),
  outputs: z.array(FlowOutput),
  triggers: z.array(z.unknown()),
  concurrency: FlowConcurrency,
  checks: z.array(FlowCheck),
  taskDefaults: z.array(TaskDefault.strict()),
  // The 1.x name of taskDefaults.
  pluginDefaults: z.array(TaskDefault.strict()),
  listeners: z.array(Listener),
  disabled: z.boolean(),
  deleted: z.boolean(),
};
export const REQUIRED_TOP_LEVEL = ['id', 'namespace', 'tasks'] as const;

/**
 * Trigger types Aloft knows (Kestra 0.x names and their 1.x aliases). Their properties are
 * checked by lib/triggers; any other type is accepted with a warning.
 */
export const KNOWN_TRIGGER_TYPES: readonly string[] = [
  'io.kestra.core.models.triggers.types.Schedule',
  'io.kestra.core.models.triggers.types.Flow',
  'io.kestra.core.models.triggers.types.Webhook',
  'io.kestra.plugin.core.trigger.Schedule',
  'io.kestra.plugin.core.trigger.Flow',
  'io.kestra.plugin.core.trigger.Webhook',
  'io.kestra.plugin.gcp.pubsub.Trigger',
];
