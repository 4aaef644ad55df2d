// Lone events: the cloud's way to skip the execution lease, and nothing else's. When a pass leaves
// exactly one attempt of its execution in flight and dispatches that very attempt, its result can only
// meet events that nothing else of the execution produces (a kill, a resume), so the executor folds it
// by name in one transaction instead of lease, query, transaction, release and query. A new execution's
// first event is lone too. Parallel branches, and anything started while another attempt runs, keep the
// lease, which is what keeps a fan-in calm. The hint travels as a Pub/Sub attribute and an inbox field:
// it is the cloud transport's and the Firestore adapter's business, never the engine's or the
// StateStore port's. The embedded runtime folds everything in-process and needs none of it.
import { EffectType, type Effect } from '../../model/effects';
import type { Execution } from '../../model/execution';
import type { WorkerTask } from '../../model/worker-messages';
import { isTerminal } from '../../model/states';
import type { OutboxEntry, PendingEvent, TaskQueue, TransactOutcome } from '../../ports';

/** What the Firestore adapter adds to the StateStore for lone events. */
export interface LoneEventStore {
  /** Appends an event marked lone (the executor may fold it by name); false when the key was queued or consumed before. */
  appendAlone(executionId: string, pending: PendingEvent): Promise<boolean>;
  /**
   * `transact` over the named pending events only (consumed or unknown keys are skipped), without
   * looking for others. Rejects with CONFLICT while a kill is pending, so that a lone event cannot
   * overtake it: the lease protocol then folds both in order.
   */
  transactNamed(
    executionId: string, keys: readonly string[],
    fold: (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null, now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null>;
}

/** What the Pub/Sub task queue adds: a worker task published with the lone hint. */
export interface LoneTaskQueue extends TaskQueue {
  publish(task: WorkerTask, hints?: { alone?: boolean }): Promise<void>;
}

/** Attempts of the execution not yet ended (only worker task runs have attempts). */
function attemptsInFlight(execution: Execution): string[] {
  const ids: string[] = [];
  for (const run of execution.taskRunList) {
    const last = run.attempts[run.attempts.length - 1];
    if (last && !isTerminal(last.state.current)) ids.push(run.id);
  }
  return ids;
}

/** The task run of the one dispatched attempt that is the execution's only one in flight, if any. */
export function loneDispatch(execution: Execution, effects: readonly Effect[]): string | undefined {
  let dispatched: string | undefined;
  for (const effect of effects) {
    if (effect.type !== EffectType.DispatchWorkerTask) continue;
    // A group (WorkingDirectory) appends its children's events before its result: never alone.
    if (dispatched !== undefined || effect.workerTask.children) return undefined;
    dispatched = effect.workerTask.taskRunId;
  }
  if (dispatched === undefined) return undefined;
  const inFlight = attemptsInFlight(execution);
  return inFlight.length === 1 && inFlight[0] === dispatched ? dispatched : undefined;
}

/** The queue a pass publishes through: the lone dispatch, if any, goes out with its hint. */
export function withLoneHint(queue: LoneTaskQueue, lone: string | undefined): TaskQueue {
  if (lone === undefined) return queue;
  return { publish: (task) => queue.publish(task, task.taskRunId === lone ? { alone: true } : undefined), subscribe: (g, h) => queue.subscribe(g, h) };
}
