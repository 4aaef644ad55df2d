// Effects returned by the engine's step, carried out by a runtime after the state is saved.
// Stored in the outbox until published, so they have schemas.
import { z } from 'zod';
import { WakeUpReason } from './events';
import { ErrorDataSchema, StateSchema } from './execution';
import { WorkerTask } from './worker-messages';

export const EffectType = {
  DispatchWorkerTask: 'DispatchWorkerTask',
  StopWorkerTask: 'StopWorkerTask',
  StartSubflow: 'StartSubflow',
  KillSubflow: 'KillSubflow',
  ScheduleWakeUp: 'ScheduleWakeUp',
  ExecutionEnded: 'ExecutionEnded',
  ClaimConcurrencySlot: 'ClaimConcurrencySlot',
  ReleaseConcurrencySlot: 'ReleaseConcurrencySlot',
  ResumeOtherExecution: 'ResumeOtherExecution',
} as const;
export type EffectType = (typeof EffectType)[keyof typeof EffectType];

export const DispatchWorkerTask = z.object({ type: z.literal(EffectType.DispatchWorkerTask), workerTask: WorkerTask });
export const StopWorkerTask = z.object({ type: z.literal(EffectType.StopWorkerTask), executionId: z.string(), taskRunId: z.string(), attempt: z.number().int() });
export const StartSubflow = z.object({
  type: z.literal(EffectType.StartSubflow),
  parentExecutionId: z.string(),
  parentTaskRunId: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  revision: z.number().int().optional(),
  inputs: z.record(z.string(), z.unknown()),
  labels: z.record(z.string(), z.string()).optional(),
  /** When false the parent task run succeeds as soon as the child is created. */
  wait: z.boolean(),
  /** The child's id, chosen by the engine so that a duplicate effect creates nothing new. */
  childExecutionId: z.string(),
  /** Ancestor flows, nearest last, including the parent itself. */
  chain: z.array(z.string()),
  /** The task's `outputs` templates (wait: true only); the child renders them with its own variables when it ends. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** Kestra's scheduleDate (ISO): the child is created now and starts then. */
  scheduleDate: z.string().optional(),
  /** ForEachItem: the batch this child runs (its trigger's `taskRunIteration`). */
  iteration: z.number().int().nonnegative().optional(),
  /** ForEachItem (wait: true): where the child's flow outputs are written, one JSON line, when it ends. */
  outputsUri: z.string().optional(),
});
export const KillSubflow = z.object({ type: z.literal(EffectType.KillSubflow), childExecutionId: z.string() });
export const ScheduleWakeUp = z.object({
  type: z.literal(EffectType.ScheduleWakeUp), executionId: z.string(), taskRunId: z.string(), at: z.string(),
  reason: WakeUpReason,
});
export const ExecutionEnded = z.object({
  type: z.literal(EffectType.ExecutionEnded), executionId: z.string(), namespace: z.string(), flowId: z.string(), flowRevision: z.number().int(), state: StateSchema,
  parentExecutionId: z.string().optional(), parentTaskRunId: z.string().optional(),
  /** The parent task's `outputs` templates rendered against this (child) execution. */
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** Set instead of `outputs` when they failed to render; the parent's task run fails with it. */
  outputsError: ErrorDataSchema.optional(),
  /** ForEachItem: the parent's file for this child's `outputs` (see StartSubflow). */
  outputsUri: z.string().optional(),
});

/** Asks the flow's concurrency slots for one; the answer comes back as a ConcurrencySlot event. */
export const ClaimConcurrencySlot = z.object({
  type: z.literal(EffectType.ClaimConcurrencySlot), executionId: z.string(), namespace: z.string(), flowId: z.string(),
  claimId: z.string(), limit: z.number().int().positive(), queue: z.boolean(),
});
/** Gives the slot back (or withdraws a waiting claim); the claims promoted hear ConcurrencySlot RUNNING. */
export const ReleaseConcurrencySlot = z.object({
  type: z.literal(EffectType.ReleaseConcurrencySlot), executionId: z.string(), namespace: z.string(), flowId: z.string(), claimId: z.string(),
});

/** A Resume task's request to resume another execution; the answer comes back as OtherResumed. */
export const ResumeOtherExecution = z.object({
  type: z.literal(EffectType.ResumeOtherExecution), executionId: z.string(), taskRunId: z.string(),
  target: z.object({ executionId: z.string(), namespace: z.string().optional(), flowId: z.string().optional() }),
  inputs: z.record(z.string(), z.unknown()).optional(),
});

export const Effect = z.discriminatedUnion('type', [
  DispatchWorkerTask, StopWorkerTask, StartSubflow, KillSubflow, ScheduleWakeUp, ExecutionEnded, ClaimConcurrencySlot, ReleaseConcurrencySlot,
  ResumeOtherExecution,
]);
export type Effect = z.infer<typeof Effect>;
export type EffectOf<T extends EffectType> = Extract<Effect, { type: T }>;

/**
 * One handler per effect type, each given its own effect. A map, not a switch: a new effect type
 * that nobody carries out does not compile.
 */
export type EffectHandlers<C, R = void> = { readonly [K in EffectType]: (ctx: C, effect: EffectOf<K>) => R };

/** Calls the handler of the effect's type. */
export function onEffect<C, R>(handlers: EffectHandlers<C, R>, ctx: C, effect: Effect): R {
  return (handlers[effect.type] as (ctx: C, effect: Effect) => R)(ctx, effect);
}
