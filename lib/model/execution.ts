// Executions and task runs, shaped like Kestra's JSON (`taskRunList`, `state.current/histories`).
// Schemas validate documents read back from storage (Firestore) and API bodies.
import { z } from 'zod';
import { STATES, type State } from './states';

export const StateSchema = z.enum(STATES as unknown as [State, ...State[]]);
export const StateHistory = z.object({ state: StateSchema, date: z.string() });
export const StateRecordSchema = z.object({ current: StateSchema, histories: z.array(StateHistory) });

export const ErrorDataSchema = z.object({
  code: z.string(), message: z.string(), file: z.string().optional(), flow: z.string().optional(), task: z.string().optional(),
  property: z.string().optional(), line: z.number().optional(), column: z.number().optional(), hint: z.string().optional(),
});

export const TaskRunAttempt = z.object({
  state: StateRecordSchema,
  workerId: z.string().optional(),
  /** Set by a worker while it runs the attempt; the scheduler uses it to find lost attempts. */
  heartbeat: z.string().optional(),
  logsUri: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
});
export type TaskRunAttempt = z.infer<typeof TaskRunAttempt>;

export const TaskRun = z.object({
  id: z.string(),
  executionId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  taskId: z.string(),
  parentTaskRunId: z.string().optional(),
  /** The loop value for direct children of Each* tasks (always a string, as in Kestra). */
  value: z.string().optional(),
  attempts: z.array(TaskRunAttempt),
  outputs: z.record(z.string(), z.unknown()).optional(),
  state: StateRecordSchema,
  error: ErrorDataSchema.optional(),
  /** Engine bookkeeping for flowables (loop values, chosen branch, subflow id, pause deadline...). */
  internal: z.record(z.string(), z.unknown()).optional(),
});
export type TaskRun = z.infer<typeof TaskRun>;

export const TriggerContext = z.object({
  id: z.string(),
  type: z.string(),
  variables: z.record(z.string(), z.unknown()),
});
export type TriggerContext = z.infer<typeof TriggerContext>;

export const ParentRef = z.object({
  executionId: z.string(),
  taskRunId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  /** The chain of ancestor flows (namespace.id), nearest last; detects subflow cycles. */
  chain: z.array(z.string()),
  /** Variables exposed to the child as `parent` / `parents`. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** The parent task's `outputs` templates, rendered by the child's step when it ends. */
  outputsTemplate: z.record(z.string(), z.unknown()).optional(),
  /** ForEachItem: where the runtime writes this child's flow outputs when it ends. */
  outputsUri: z.string().optional(),
});
export type ParentRef = z.infer<typeof ParentRef>;

export const Execution = z.object({
  id: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  flowRevision: z.number().int(),
  state: StateRecordSchema,
  inputs: z.record(z.string(), z.unknown()),
  labels: z.record(z.string(), z.string()).optional(),
  /** Set by SetVariables/UnsetVariables: from then on the whole of `vars` (the flow's variables merged with theirs). */
  variables: z.record(z.string(), z.unknown()).optional(),
  trigger: TriggerContext.optional(),
  parent: ParentRef.optional(),
  /** Set on an execution created by replay or restart from another one. */
  originalId: z.string().optional(),
  /** Kestra's scheduleDate (ISO): the execution stays CREATED until then (a subflow's, from its task). */
  scheduleDate: z.string().optional(),
  /** The last claim of a slot of its flow's `concurrency` (ConcurrencySlot events and the release name it). */
  slotClaim: z.string().optional(),
  taskRunList: z.array(TaskRun),
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: ErrorDataSchema.optional(),
  /**
   * Kestra 1.x `afterExecution`: the state the execution ends in, settled while its afterExecution tasks
   * run (they read it as `execution.state`); removed when it ends.
   */
  ending: StateSchema.optional(),
  /** Bumped by every transaction; a stale writer is rejected. */
  version: z.number().int().nonnegative(),
});
export type Execution = z.infer<typeof Execution>;
