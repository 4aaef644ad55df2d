// What travels between the executor and the workers. Parsed with zod on receipt, always.
import { z } from 'zod';
import { ErrorDataSchema, StateSchema } from './execution';

/**
 * A child of a WorkingDirectory's group attempt: the worker runs it in the group's folder, under the
 * task run id the engine chose for it, and reports its start and result with `parentTaskRunId`.
 */
export const GroupChild = z.object({
  taskId: z.string(),
  taskRunId: z.string(),
  type: z.string(),
  /** The child's definition after taskDefaults, properties still unrendered. */
  task: z.record(z.string(), z.unknown()),
  timeoutMs: z.number().int().positive().optional(),
});
export type GroupChild = z.infer<typeof GroupChild>;

/** A request to run one attempt of one task run. */
export const WorkerTask = z.object({
  executionId: z.string(),
  taskRunId: z.string(),
  attempt: z.number().int().nonnegative(),
  taskId: z.string(),
  type: z.string(),
  group: z.string(),
  /** The task definition after taskDefaults, properties still unrendered. */
  task: z.record(z.string(), z.unknown()),
  /** The variables the worker renders the properties with (flow, execution, outputs, inputs...). */
  variables: z.record(z.string(), z.unknown()),
  /** Set instead of `variables` when they were too large for a message: a kestra:/// URI. */
  variablesUri: z.string().optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** For resumable tasks: the handle saved by a previous invocation. */
  continuation: z.unknown().optional(),
  /**
   * Set for a WorkingDirectory (a group attempt): its runnable children, run one after the other by
   * this worker in one folder. The attempt is the WorkingDirectory run's own.
   */
  children: z.array(GroupChild).optional(),
  /** A group attempt: the loop values of the WorkingDirectory's ancestors, by which its children's outputs are addressed. */
  outputsPath: z.array(z.string()).optional(),
});
export type WorkerTask = z.infer<typeof WorkerTask>;

/** The outcome of one attempt. */
export const WorkerResult = z.object({
  executionId: z.string(),
  taskRunId: z.string(),
  attempt: z.number().int().nonnegative(),
  state: StateSchema,
  outputs: z.record(z.string(), z.unknown()).optional(),
  error: ErrorDataSchema.optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  logsUri: z.string().optional(),
  metrics: z.record(z.string(), z.number()).optional(),
  /** Set by the recovery sweep only: the attempt's worker died (no heartbeat), the task itself did not fail. */
  lost: z.literal(true).optional(),
  /** A child of a group attempt (WorkingDirectory): the run of the group, under which the engine creates this run. */
  parentTaskRunId: z.string().optional(),
});
export type WorkerResult = z.infer<typeof WorkerResult>;
