// What a worker does with one delivered task: claim the attempt (a duplicate delivery stops here),
// run it with heartbeats, and append the result to the execution's inbox.
import { runAttempt, type WorkerDeps } from '../worker';
import type { WorkerTask } from '../model/worker-messages';
import { isTerminal, State } from '../model/states';
import type { AttemptKey, AttemptLedger, Clock, Ids, StateStore, TaskQueue } from '../ports';
import { appendEvent } from './effects';

export interface RunningAttempts {
  add(key: AttemptKey, controller: AbortController): void;
  remove(key: AttemptKey): void;
}

export interface WorkerHandlerDeps {
  store: StateStore;
  ledger: AttemptLedger;
  queue: TaskQueue;
  clock: Clock;
  ids: Ids;
  worker: WorkerDeps;
  workerId: string;
  running: RunningAttempts;
  wake(executionId: string): void;
  heartbeatMs?: number;
}

export async function handleWorkerTask(deps: WorkerHandlerDeps, task: WorkerTask, opts: { deadline?: Date } = {}): Promise<void> {
  const key: AttemptKey = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
  if (task.continuation === undefined) {
    if (!(await stillWanted(deps.store, task))) {
      await deps.ledger.finish(key, deps.clock.now());
      return;
    }
    if (!(await deps.ledger.claim(key, deps.workerId, deps.clock.now(), task.timeoutMs))) return;
    await appendEvent(deps, task.executionId, {
      type: 'AttemptStarted', taskRunId: task.taskRunId, attempt: task.attempt, at: deps.clock.now().toISOString(), workerId: deps.workerId,
    });
  }
  const controller = new AbortController();
  deps.running.add(key, controller);
  const beat = setInterval(() => { deps.ledger.heartbeat(key, deps.clock.now()).catch(() => undefined); }, deps.heartbeatMs ?? 30_000);
  beat.unref?.();
  try {
    const outcome = await runAttempt(task, deps.worker, { workerId: deps.workerId, signal: controller.signal, deadline: opts.deadline });
    if (outcome.kind === 'suspended') {
      // A resumable task ran out of time in this invocation: hand its handle to the next one.
      await deps.queue.publish({ ...task, continuation: outcome.continuation });
      return;
    }
    await appendEvent(deps, task.executionId, { type: 'WorkerResult', result: outcome.result });
    await deps.ledger.finish(key, deps.clock.now());
  } finally {
    clearInterval(beat);
    deps.running.remove(key);
  }
}

/** A task whose execution was killed, or whose run already ended, is not run. */
async function stillWanted(store: StateStore, task: WorkerTask): Promise<boolean> {
  const execution = await store.get(task.executionId);
  if (!execution) return false;
  if (execution.state.current === State.KILLING || execution.state.current === State.KILLED) return false;
  const run = execution.taskRunList.find((r) => r.id === task.taskRunId);
  return !!run && !isTerminal(run.state.current) && run.attempts.length === task.attempt + 1;
}
