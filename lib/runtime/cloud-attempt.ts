// One attempt in a cloud worker: the steps of the shared handleWorkerTask (worker-handler.ts), with
// two changes that save a Firestore write and an executor invocation or a full read per task:
//   - whether the task is still wanted is read from its stop request (a kill writes one for every
//     attempt it ends, queued ones included), not from the whole execution;
//   - the attempt is announced (AttemptStarted) only when it runs longer than ALOFT_START_NOTICE_MS:
//     a quicker one reports just its result, which the engine records as RUNNING then its end.
// Duplicates stop at the ledger's claim; a resumable task hands a continuation to the next invocation.
import { LazyAbortController, runAttempt } from '../worker';
import { isoOf } from '../worker/iso';
import type { WorkerTask } from '../model/worker-messages';
import type { AttemptKey } from '../ports';
import type { AttemptStopStore } from '../ports/cloud-control';
import { appendEvent } from './effects';
import type { WorkerHandlerDeps } from './worker-handler';

export interface CloudAttemptDeps extends WorkerHandlerDeps {
  stops: AttemptStopStore;
  /** 0: announce every attempt at once. */
  startNoticeMs: number;
}

export async function handleCloudTask(deps: CloudAttemptDeps, task: WorkerTask, opts: { deadline?: Date } = {}): Promise<void> {
  const key: AttemptKey = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
  let notice: StartNotice | undefined;
  if (task.continuation === undefined) {
    if (await deps.stops.requested(key)) {
      await deps.ledger.finish(key, deps.clock.now());
      return;
    }
    const now = deps.clock.now();
    if (!(await deps.ledger.claim(key, deps.workerId, now, task.timeoutMs))) return;
    const announce = () => appendEvent(deps, task.executionId, {
      type: 'AttemptStarted', taskRunId: task.taskRunId, attempt: task.attempt, at: isoOf(now), workerId: deps.workerId,
    });
    if (deps.startNoticeMs > 0) notice = new StartNotice(announce, deps.startNoticeMs);
    else await announce();
  }
  const controller = new LazyAbortController();
  deps.running.add(key, controller);
  const beat = setInterval(() => { deps.ledger.heartbeat(key, deps.clock.now()).catch(() => undefined); }, deps.heartbeatMs ?? 30_000);
  beat.unref?.();
  try {
    const outcome = await runAttempt(task, deps.worker, { workerId: deps.workerId, kill: controller, deadline: opts.deadline });
    // A start announced late lands before what follows, so the history reads RUNNING first.
    await notice?.settle();
    if (outcome.kind === 'suspended') {
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

/** AttemptStarted after a delay, unless the attempt ended first. */
class StartNotice {
  private readonly timer: NodeJS.Timeout;
  private sent?: Promise<unknown>;

  constructor(send: () => Promise<unknown>, delayMs: number) {
    this.timer = setTimeout(() => { this.sent = send().catch(() => undefined); }, delayMs);
    this.timer.unref?.();
  }

  async settle(): Promise<void> {
    clearTimeout(this.timer);
    await this.sent;
  }
}
