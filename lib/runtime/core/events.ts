// Idempotency keys for inbox events: a duplicate delivery of the same fact maps to the same key.
import type { ExecutionEvent } from '../../model/events';
import type { PendingEvent } from '../../ports';
import { isoOf } from '../../worker/iso';

export function eventKey(event: ExecutionEvent, unique: () => string): string {
  switch (event.type) {
    case 'ExecutionCreated': return 'created';
    case 'AttemptStarted': return `started:${event.taskRunId}:${event.attempt}`;
    case 'WorkerResult': return `result:${event.result.taskRunId}:${event.result.attempt}`;
    case 'WakeUp': return `wake:${event.taskRunId}:${event.reason}:${unique()}`;
    case 'SubflowStarted': return `subflow-started:${event.taskRunId}:${event.childExecutionId}`;
    case 'SubflowEnded': return `subflow-ended:${event.taskRunId}:${event.childExecutionId ?? 'none'}`;
    // Operator actions may legitimately repeat (kill after a restart), so each is unique.
    case 'Kill': case 'Resume': case 'Restart': return `${event.type.toLowerCase()}:${unique()}`;
  }
}

export function pending(event: ExecutionEvent, now: Date, unique: () => string, key?: string): PendingEvent {
  return { key: key ?? eventKey(event, unique), event, at: isoOf(now) };
}
