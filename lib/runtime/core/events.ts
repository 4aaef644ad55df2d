// Idempotency keys for inbox events: a duplicate delivery of the same fact maps to the same key.
import type { EventType, ExecutionEvent } from '../../model/events';
import type { PendingEvent } from '../../ports';
import { isoOf } from '../../worker/iso';

type EventOf<T extends EventType> = Extract<ExecutionEvent, { type: T }>;

/** One key per event type: a new event type does not compile until it has one. */
const KEYS: { [T in EventType]: (event: EventOf<T>, unique: () => string) => string } = {
  ExecutionCreated: () => 'created',
  AttemptStarted: (e) => `started:${e.taskRunId}:${e.attempt}`,
  WorkerResult: (e) => `result:${e.result.taskRunId}:${e.result.attempt}`,
  // Stored wake-ups fire under wakeUpEventKey (core/wake-ups.ts), the same in both runtimes; this is for any other.
  WakeUp: (e, unique) => `wake:${e.taskRunId}:${e.reason}:${unique()}`,
  SubflowStarted: (e) => `subflow-started:${e.taskRunId}:${e.childExecutionId}`,
  SubflowEnded: (e) => `subflow-ended:${e.taskRunId}:${e.childExecutionId ?? 'none'}`,
  // One answer per claim and outcome: a claim carried out again, or its promotion told twice, is one event.
  ConcurrencySlot: (e) => `slot:${e.claimId}:${e.outcome}`,
  OtherResumed: (e) => `other-resumed:${e.taskRunId}`,
  // Operator actions may legitimately repeat (kill after a restart), so each is unique.
  Kill: (_e, unique) => `kill:${unique()}`,
  Resume: (_e, unique) => `resume:${unique()}`,
  Restart: (_e, unique) => `restart:${unique()}`,
};

export function eventKey(event: ExecutionEvent, unique: () => string): string {
  return (KEYS[event.type] as (event: ExecutionEvent, unique: () => string) => string)(event, unique);
}

export function pending(event: ExecutionEvent, now: Date, unique: () => string, key?: string): PendingEvent {
  return { key: key ?? eventKey(event, unique), event, at: isoOf(now) };
}
