// The flow document: top-level shape. Task properties are checked against the task catalog
// (see ./catalog.ts) by the validator in ./flow-validate.ts.
import { z } from 'zod';
import { Retry } from './retry';
import { Duration } from './duration';

export const InputType = {
  STRING: 'STRING', INT: 'INT', FLOAT: 'FLOAT', BOOLEAN: 'BOOLEAN', BOOL: 'BOOL', DATETIME: 'DATETIME', DATE: 'DATE', TIME: 'TIME',
  DURATION: 'DURATION', JSON: 'JSON', YAML: 'YAML', URI: 'URI', EMAIL: 'EMAIL', SECRET: 'SECRET', FILE: 'FILE',
  ENUM: 'ENUM', SELECT: 'SELECT', MULTISELECT: 'MULTISELECT', ARRAY: 'ARRAY',
} as const;
export type InputType = (typeof InputType)[keyof typeof InputType];

/** What an ARRAY input's items may be (Kestra 1.x `itemType`): the scalar and structured types. */
export const ItemType = {
  STRING: 'STRING', INT: 'INT', FLOAT: 'FLOAT', BOOLEAN: 'BOOLEAN', DATETIME: 'DATETIME', DATE: 'DATE', TIME: 'TIME',
  DURATION: 'DURATION', JSON: 'JSON', YAML: 'YAML', URI: 'URI', EMAIL: 'EMAIL',
} as const;
export type ItemType = (typeof ItemType)[keyof typeof ItemType];

/** Kestra 0.x writes `name:`, later versions `id:`; both are accepted and normalised to `id`. */
export const FlowInput = z.object({
  id: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/),
  type: z.enum(Object.values(InputType) as [InputType, ...InputType[]]),
  description: z.string().optional(),
  /** Kestra 1.x: the label shown in forms; the id stays the name in expressions. */
  displayName: z.string().optional(),
  required: z.boolean().optional(),
  defaults: z.unknown().optional(),
  /** Later Kestra input constraints: a regex for STRING, bounds for INT/FLOAT/DURATION and dates/times. */
  validator: z.string().optional(),
  min: z.union([z.number(), z.string()]).optional(),
  max: z.union([z.number(), z.string()]).optional(),
  /** Length bounds: characters of a text input, items of an ARRAY or MULTISELECT. */
  minLength: z.number().int().nonnegative().optional(),
  maxLength: z.number().int().nonnegative().optional(),
  after: z.string().optional(),
  before: z.string().optional(),
  /** ENUM, SELECT and MULTISELECT: the allowed values (`options` is MULTISELECT's older name). */
  values: z.array(z.string()).optional(),
  options: z.array(z.string()).optional(),
  /** SELECT and MULTISELECT: accept a value outside `values`. */
  allowCustomValue: z.boolean().optional(),
  /** ARRAY: the type each item is checked and converted to. */
  itemType: z.enum(Object.values(ItemType) as [ItemType, ...ItemType[]]).optional(),
  /** Kestra 1.x: the inputs this one is shown after; kept for forms, validated to name declared inputs. */
  dependsOn: z.object({ inputs: z.array(z.string()).optional(), condition: z.string().optional() }).strict().optional(),
  /** SELECT and MULTISELECT: how Kestra's UI shows them; accepted and ignored. */
  isRadio: z.boolean().optional(),
  autoSelectFirst: z.boolean().optional(),
});
export type FlowInput = z.infer<typeof FlowInput>;

/** Kestra's falsy texts (TruthUtils): a rendered `runIf` or `If` condition equal to one of these is false. */
export const FALSY_TEXTS: readonly string[] = ['false', '0', '-0', ''];

// Case matters, as in Kestra: 'False' is truthy there.
const RUN_IF_LITERAL = /^\s*(true|false|0|1|-0)\s*$/;
/**
 * `runIf` (Kestra 1.x): a template, or a literal true/false. Plain text such as `outputs.x == 1` is
 * refused: it is always truthy, so a forgotten `{{ }}` would silently run the task.
 */
export const RunIf = z.union([z.boolean(), z.string()]).refine(
  (v) => typeof v === 'boolean' || v.includes('{{') || RUN_IF_LITERAL.test(v),
  { message: "runIf must be an expression such as '{{ inputs.enabled }}', or true or false" },
);

/** Kestra 1.x flow outputs: rendered when the execution ends and typed like inputs. */
export const FlowOutput = z.object({
  id: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'output ids use letters, digits, ., - and _'),
  type: z.enum(Object.values(InputType) as [InputType, ...InputType[]]),
  value: z.unknown(),
  description: z.string().optional(),
  displayName: z.string().optional(),
  required: z.boolean().optional(),
}).strict();
export type FlowOutput = z.infer<typeof FlowOutput>;

/** Kestra's Concurrency.Behavior: what happens to a new execution while `limit` executions of the flow run. */
export const ConcurrencyBehavior = { QUEUE: 'QUEUE', CANCEL: 'CANCEL', FAIL: 'FAIL' } as const;
export type ConcurrencyBehavior = (typeof ConcurrencyBehavior)[keyof typeof ConcurrencyBehavior];

/** A flow's `concurrency` (Kestra 0.13+): at most `limit` executions run at once; QUEUE is the default. */
export const FlowConcurrency = z.object({
  limit: z.number().int().min(1, 'concurrency.limit must be at least 1'),
  behavior: z.enum(Object.values(ConcurrencyBehavior) as [ConcurrencyBehavior, ...ConcurrencyBehavior[]]).optional(),
}).strict();
export interface FlowConcurrency { limit: number; behavior: ConcurrencyBehavior }

/** Kestra 1.2's Check.Behavior: what a failed check does to an execution a person starts. */
export const CheckBehavior = { BLOCK_EXECUTION: 'BLOCK_EXECUTION', FAIL_EXECUTION: 'FAIL_EXECUTION', CREATE_EXECUTION: 'CREATE_EXECUTION' } as const;
export type CheckBehavior = (typeof CheckBehavior)[keyof typeof CheckBehavior];
/** Kestra 1.2's Check.Style: how the UI shows the message. */
export const CheckStyle = { ERROR: 'ERROR', SUCCESS: 'SUCCESS', WARNING: 'WARNING', INFO: 'INFO' } as const;
export type CheckStyle = (typeof CheckStyle)[keyof typeof CheckStyle];

/** A flow's `checks` item (Kestra 1.2): `condition` must render true, or `behavior` applies. */
export const FlowCheck = z.object({
  condition: z.string().min(1),
  message: z.string().min(1),
  style: z.enum(Object.values(CheckStyle) as [CheckStyle, ...CheckStyle[]]).optional(),
  behavior: z.enum(Object.values(CheckBehavior) as [CheckBehavior, ...CheckBehavior[]]).optional(),
}).strict();
export interface FlowCheck { condition: string; message: string; style: CheckStyle; behavior: CheckBehavior }

/** Every task has these; the rest of its properties belong to its type. */
export const TaskBase = z.object({
  id: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_-]*$/, 'task ids use letters, digits, - and _'),
  type: z.string(),
  description: z.string().optional(),
  retry: Retry.optional(),
  timeout: Duration.optional(),
  disabled: z.boolean().optional(),
  logLevel: z.string().optional(),
  /** Kestra 1.x: a failure (after retries) ends the run WARNING, and the flow carries on. */
  allowFailure: z.boolean().optional(),
  /** Kestra 1.x: a WARNING ends the run SUCCESS. */
  allowWarning: z.boolean().optional(),
  runIf: RunIf.optional(),
  /** Kestra EE worker groups: accepted and ignored (every worker here runs every group's tasks). */
  workerGroup: z.object({ key: z.string(), fallback: z.string().optional() }).strict().optional(),
  /** Kestra 1.x: accepted and ignored; logs are always kept with the task run. */
  logToFile: z.boolean().optional(),
});
export const TASK_BASE_KEYS: readonly string[] = Object.keys(TaskBase.shape);

/** A task as the engine sees it: base fields plus its type's properties, children included. */
export type Task = z.infer<typeof TaskBase> & { [property: string]: unknown };

export const TriggerBase = z.object({
  id: z.string(),
  type: z.string(),
  description: z.string().optional(),
  disabled: z.boolean().optional(),
}).passthrough();
export type Trigger = z.infer<typeof TriggerBase>;

export const TaskDefault = z.object({
  type: z.string(),
  forced: z.boolean().optional(),
  values: z.record(z.string(), z.unknown()),
});
export type TaskDefault = z.infer<typeof TaskDefault>;

/** A flow after parsing, validation and normalisation (taskDefaults applied, inputs keyed by `id`). */
export interface Flow {
  id: string;
  namespace: string;
  revision?: number;
  description?: string;
  labels?: Record<string, string>;
  inputs?: FlowInput[];
  variables?: Record<string, unknown>;
  /** Applies to tasks with no retry of their own or on an ancestor (the nearest policy wins). */
  retry?: Retry;
  tasks: Task[];
  errors?: Task[];
  /** Kestra 1.x: run at the end, after `tasks` and `errors`, whatever happened. */
  finally?: Task[];
  /** Kestra 1.x: run one after the other once the execution's state is settled; they never change it. */
  afterExecution?: Task[];
  /** Kestra 1.x: the execution's outputs, rendered when it ends. */
  outputs?: FlowOutput[];
  triggers?: Trigger[];
  /** At most `limit` executions run at once; the others wait QUEUED, or end CANCELLED or FAILED. */
  concurrency?: FlowConcurrency;
  /** Kestra 1.2: conditions on the inputs, checked before an execution a person starts is created. */
  checks?: FlowCheck[];
  taskDefaults?: TaskDefault[];
  disabled?: boolean;
}

export const flowKey = (namespace: string, id: string): string => `${namespace}.${id}`;
