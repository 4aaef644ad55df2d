// Events fed to the engine's step. Stored in an execution's inbox, so they have schemas.
import { z } from 'zod';
import { ErrorDataSchema, StateSchema } from './execution';
import { SlotOutcome } from './concurrency-slots';
import { WorkerResult } from './worker-messages';

export const EventType = {
  ExecutionCreated: 'ExecutionCreated',
  AttemptStarted: 'AttemptStarted',
  WorkerResult: 'WorkerResult',
  WakeUp: 'WakeUp',
  Kill: 'Kill',
  Resume: 'Resume',
  Restart: 'Restart',
  SubflowStarted: 'SubflowStarted',
  SubflowEnded: 'SubflowEnded',
  ConcurrencySlot: 'ConcurrencySlot',
  OtherResumed: 'OtherResumed',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

export const ExecutionCreated = z.object({ type: z.literal(EventType.ExecutionCreated) });
export const AttemptStarted = z.object({
  type: z.literal(EventType.AttemptStarted), taskRunId: z.string(), attempt: z.number().int(), at: z.string(), workerId: z.string().optional(),
  /** A child of a group attempt (WorkingDirectory): the run of the group, under which the engine creates this run. */
  parentTaskRunId: z.string().optional(),
});
export const WorkerResultEvent = z.object({ type: z.literal(EventType.WorkerResult), result: WorkerResult });
/**
 * Why a wake-up was scheduled: a retry delay is over, a Pause's delay or timeout, or an execution's
 * `scheduleDate` came (Kestra's scheduleDate of a subflow; its taskRunId is SCHEDULED_START).
 */
export const WakeUpReason = z.enum(['retry', 'pause-delay', 'pause-timeout', 'scheduled-start']);
/** The taskRunId of a scheduled start's wake-up: it wakes the execution, not a task run. */
export const SCHEDULED_START = 'execution';
export type WakeUpReason = z.infer<typeof WakeUpReason>;
export const WakeUp = z.object({ type: z.literal(EventType.WakeUp), taskRunId: z.string(), reason: WakeUpReason });
export const Kill = z.object({ type: z.literal(EventType.Kill) });
export const Resume = z.object({ type: z.literal(EventType.Resume), taskRunId: z.string().optional(), inputs: z.record(z.string(), z.unknown()).optional() });
export const Restart = z.object({ type: z.literal(EventType.Restart) });
export const SubflowStarted = z.object({ type: z.literal(EventType.SubflowStarted), taskRunId: z.string(), childExecutionId: z.string() });
export const SubflowEnded = z.object({
  type: z.literal(EventType.SubflowEnded),
  taskRunId: z.string(),
  childExecutionId: z.string().optional(),
  state: StateSchema,
  outputs: z.record(z.string(), z.unknown()).optional(),
  /** Set when the child could not be started (unknown flow, bad inputs, cycle) or its outputs not rendered: the run fails. */
  error: ErrorDataSchema.optional(),
  /** Why a FAILED child failed; the run keeps it only when it transmits the failure (`transmitFailed`). */
  failure: ErrorDataSchema.optional(),
});

/** What the flow's concurrency slots answered a claim (ClaimConcurrencySlot), or a queued claim promoted. */
export const ConcurrencySlot = z.object({ type: z.literal(EventType.ConcurrencySlot), claimId: z.string(), outcome: SlotOutcome });

/** The answer to a Resume task's ResumeOtherExecution: the other execution was resumed, or why not. */
export const OtherResumed = z.object({
  type: z.literal(EventType.OtherResumed), taskRunId: z.string(), executionId: z.string(),
  namespace: z.string().optional(), flowId: z.string().optional(), error: ErrorDataSchema.optional(),
});

export const ExecutionEvent = z.discriminatedUnion('type', [
  ExecutionCreated, AttemptStarted, WorkerResultEvent, WakeUp, Kill, Resume, Restart, SubflowStarted, SubflowEnded, ConcurrencySlot, OtherResumed,
]);
export type ExecutionEvent = z.infer<typeof ExecutionEvent>;
export type EventOf<T extends EventType> = Extract<ExecutionEvent, { type: T }>;

/**
 * One handler per event type, each given its own event. A map, not a switch: a new event type that
 * nobody handles does not compile (as Temporal's activator does for activation jobs).
 */
export type EventHandlers<C, R = void> = { readonly [K in EventType]: (ctx: C, event: EventOf<K>) => R };

/** Calls the handler of the event's type. */
export function onEvent<C, R>(handlers: EventHandlers<C, R>, ctx: C, event: ExecutionEvent): R {
  return (handlers[event.type] as (ctx: C, event: ExecutionEvent) => R)(ctx, event);
}
