// What a worker does with one delivered task: claim the attempt (a duplicate delivery stops here),
// run it with heartbeats, and append the result to the execution's inbox.
import { LazyAbortController, runAttempt, type AttemptOutcome, type WorkerDeps } from '../../worker';
import { isoOf } from '../../worker/iso';
import type { WorkerTask } from '../../model/worker-messages';
import type { ExecutionEvent } from '../../model/events';
import type { AttemptKey, AttemptLedger, Clock, Ids, StateStore, TaskQueue } from '../../ports';
import { appendEvent } from './effects';
import { pending } from './events';
import type { SyncStateStore } from './pass';

export interface RunningAttempts {
  /** `resumed`: a continuation of an attempt that ran before, which a kill may have reached in between. */
  add(key: AttemptKey, controller: AbortController, opts?: { resumed?: boolean }): void;
  remove(key: AttemptKey): void;
  /**
   * True once a stop abandoned the attempts running here (InProcessAttempts.abortAll): an aborted one
   * then reports nothing, so its claim stays RUNNING and the next start retries it as lost.
   */
  readonly abandoned?: boolean;
  /** Aborts every attempt running here; `abandon`: they then report nothing (see `abandoned`). */
  abortAll?(opts?: { abandon?: boolean }): void;
}

interface Running {
  key: AttemptKey;
  controller: AbortController;
}

const sameAttempt = (a: AttemptKey, b: AttemptKey): boolean =>
  a === b || (a.executionId === b.executionId && a.taskRunId === b.taskRunId && a.attempt === b.attempt);

/**
 * The attempts running in this process, so that a kill reaches them. Kept by task run id, a string
 * whose hash is already cached (a joined key would be a new string per attempt); two executions
 * that share a task run id (a replay's copied runs) share a list.
 */
export class InProcessAttempts implements RunningAttempts {
  private readonly byRun = new Map<string, Running | Running[]>();
  private abandonedAll = false;

  get abandoned(): boolean {
    return this.abandonedAll;
  }

  add(key: AttemptKey, controller: AbortController): void {
    const entry: Running = { key, controller };
    const current = this.byRun.get(key.taskRunId);
    if (current === undefined) this.byRun.set(key.taskRunId, entry);
    else if (Array.isArray(current)) current.push(entry);
    else this.byRun.set(key.taskRunId, [current, entry]);
  }

  remove(key: AttemptKey): void {
    const current = this.byRun.get(key.taskRunId);
    if (current === undefined) return;
    if (!Array.isArray(current)) {
      if (sameAttempt(current.key, key)) this.byRun.delete(key.taskRunId);
      return;
    }
    const rest = current.filter((r) => !sameAttempt(r.key, key));
    if (rest.length === 0) this.byRun.delete(key.taskRunId);
    else this.byRun.set(key.taskRunId, rest.length === 1 ? rest[0] : rest);
  }

  /** How many attempts run in this process. */
  get size(): number {
    let n = 0;
    for (const current of this.byRun.values()) n += Array.isArray(current) ? current.length : 1;
    return n;
  }

  /** True while the attempt runs in this process. */
  has(key: AttemptKey): boolean {
    const current = this.byRun.get(key.taskRunId);
    if (current === undefined) return false;
    return Array.isArray(current) ? current.some((r) => sameAttempt(r.key, key)) : sameAttempt(current.key, key);
  }

  /** Aborts the attempt if it runs here. */
  stop(key: AttemptKey): void {
    const current = this.byRun.get(key.taskRunId);
    if (current === undefined) return;
    for (const r of Array.isArray(current) ? current : [current]) if (sameAttempt(r.key, key)) r.controller.abort();
  }

  /**
   * Aborts every attempt running here. `abandon` (a persistent runtime stopping): what they were doing
   * is not their fault, so they do not report KILLED, which would end their executions KILLED; their
   * claims stay RUNNING and the next start retries them as lost, as after a crash.
   */
  abortAll(opts: { abandon?: boolean } = {}): void {
    if (opts.abandon) this.abandonedAll = true;
    for (const current of this.byRun.values()) for (const r of Array.isArray(current) ? current : [current]) r.controller.abort();
  }
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
  /**
   * Resolves once the claim is durable (undefined: it already is). A task runs only then, so a crash
   * never forgets an attempt that started: after a restart its claim is found running and declared lost.
   */
  durable?(): Promise<void> | undefined;
  /**
   * Announce AttemptStarted only once an attempt has run this long (0 or absent: at once). The engine
   * records RUNNING from the result's start when no notice came first. The transports choose: the
   * embedded one announces at once (an append is a memory write there); the cloud waits 1 s by default,
   * which saves a Firestore write and an executor invocation per quick task (ALOFT_START_NOTICE_MS).
   */
  startNoticeMs?: number;
}

// Whether a delivered task is still wanted is the claim's answer in both runtimes: a kill refuses every
// queued attempt in the ledger (AttemptControl.stop), a finished or lost attempt is DONE there, and a
// duplicate delivery finds the attempt claimed.
export async function handleWorkerTask(deps: WorkerHandlerDeps, task: WorkerTask, opts: { deadline?: Date; appendResult?: AppendResult } = {}): Promise<void> {
  const key: AttemptKey = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
  let notice: StartNotice | undefined;
  if (task.continuation === undefined) {
    const now = deps.clock.now();
    if (!(await deps.ledger.claim(key, deps.workerId, now, task.timeoutMs))) return;
    if (!deps.worker.catalog.runnable(task.type)?.pure) await deps.durable?.();
    const announce = (): Promise<boolean> => appendEvent(deps, task.executionId, started(deps, task, now));
    if (deps.startNoticeMs) notice = new StartNotice(announce, deps.startNoticeMs);
    else await announce();
  }
  return new ClaimedAttempt(deps, task, key, undefined, notice, opts.appendResult).run(opts.deadline);
}

/**
 * A WorkingDirectory's group attempt: its runner (and the script helpers it uses) is loaded on the
 * first group, not with every worker. No deadline: a group runs within one invocation.
 */
async function runGroupLazily(task: WorkerTask, worker: WorkerDeps, opts: { workerId: string; kill: LazyAbortController }, tell: (event: ExecutionEvent) => Promise<unknown> | undefined): Promise<AttemptOutcome> {
  const { runGroup } = await import('../../worker/working-directory');
  return runGroup(task, worker, opts, tell);
}

/** How a worker appends its result: the store's append unless the transport has a cheaper path (the cloud's lone events). */
export type AppendResult = (executionId: string, event: ExecutionEvent) => Promise<boolean>;

/** The embedded adapters' synchronous operations (in memory and on SQLite). */
export interface SyncWorkerPorts {
  store: Pick<SyncStateStore, 'appendNow'>;
  ledger: {
    claimNow(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): boolean;
    finishNow(key: AttemptKey, now: Date): void;
  };
}

/**
 * `handleWorkerTask` for the embedded runtime: the same steps, with the adapters called synchronously
 * (a promise per operation costs more than the operation). Returns undefined when the task was not run
 * (the claim refused it), else a promise for the attempt.
 */
export function handleWorkerTaskNow(deps: WorkerHandlerDeps, ports: SyncWorkerPorts, task: WorkerTask): Promise<void> | undefined {
  if (task.continuation !== undefined) return handleWorkerTask(deps, task);
  const key: AttemptKey = { executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt };
  const now = deps.clock.now();
  if (!ports.ledger.claimNow(key, deps.workerId, now, task.timeoutMs)) return undefined;
  const run = (): Promise<void> => {
    appendNow(deps, ports, task.executionId, started(deps, task, now), now);
    return new ClaimedAttempt(deps, task, key, ports).run(undefined);
  };
  // A pure task (RunnableTaskDefinition.pure) may run again after a crash: no need to wait for its claim.
  const durable = deps.worker.catalog.runnable(task.type)?.pure ? undefined : deps.durable?.();
  return durable ? durable.then(run) : run();
}

const started = (deps: WorkerHandlerDeps, task: WorkerTask, now: Date): ExecutionEvent => ({
  type: 'AttemptStarted', taskRunId: task.taskRunId, attempt: task.attempt, at: isoOf(now), workerId: deps.workerId,
});

function appendNow(deps: WorkerHandlerDeps, ports: SyncWorkerPorts, executionId: string, event: ExecutionEvent, now: Date): void {
  if (ports.store.appendNow(executionId, pending(event, now, uniqueOf(deps.ids)))) deps.wake(executionId);
}

// One id function per Ids, not a closure per event.
const uniques = new WeakMap<Ids, () => string>();
function uniqueOf(ids: Ids): () => string {
  let unique = uniques.get(ids);
  if (!unique) uniques.set(ids, (unique = () => ids.next()));
  return unique;
}

/**
 * A claimed attempt: runs with a kill switch and heartbeats, then reports its result (synchronously
 * through `ports` when given). One object and one promise chain rather than an async function and
 * closures: it runs once per task on the embedded hot path.
 */
class ClaimedAttempt {
  // Most attempts end before anyone could kill them: the controller is made only if someone does.
  private readonly controller = new LazyAbortController();
  private readonly beats: Heartbeats;

  constructor(
    private readonly deps: WorkerHandlerDeps, private readonly task: WorkerTask, private readonly key: AttemptKey,
    private readonly ports: SyncWorkerPorts | undefined,
    private readonly notice?: StartNotice,
    private readonly appendResult?: AppendResult,
  ) {
    deps.running.add(key, this.controller, task.continuation !== undefined ? { resumed: true } : undefined);
    this.beats = heartbeatsOf(deps);
    this.beats.add(key);
  }

  run(deadline: Date | undefined): Promise<void> {
    const { deps, task } = this;
    const running = task.children
      ? runGroupLazily(task, deps.worker, { workerId: deps.workerId, kill: this.controller }, (event) => this.tell(event))
      : runAttempt(task, deps.worker, { workerId: deps.workerId, kill: this.controller, deadline });
    return running.then((outcome) => this.report(outcome), (err: unknown) => this.fail(err));
  }

  /** A group attempt's news about one of its children (WorkingDirectory), appended as the worker's own events are. */
  private tell(event: ExecutionEvent): Promise<unknown> | undefined {
    const { deps, task, ports } = this;
    // Stopped with its runtime: the child's KILLED is not its fault; the group is found lost at the next start.
    if (deps.running.abandoned && this.controller.aborted) return undefined;
    if (ports) {
      appendNow(deps, ports, task.executionId, event, deps.clock.now());
      return undefined;
    }
    return appendEvent(deps, task.executionId, event);
  }

  private report(outcome: AttemptOutcome): Promise<void> | void {
    // A start announced late lands before what follows, so the history reads RUNNING first.
    if (this.notice) return this.notice.settle().then(() => this.reportNow(outcome), (err: unknown) => this.fail(err));
    return this.reportNow(outcome);
  }

  private reportNow(outcome: AttemptOutcome): Promise<void> | void {
    const { deps, task, key, ports } = this;
    let after: Promise<void> | undefined;
    try {
      if (deps.running.abandoned && this.controller.aborted) {
        // Stopped with its runtime: nothing is reported, and the claim, still RUNNING, is found lost at the next start.
      } else if (outcome.kind === 'suspended') {
        // A resumable task that ran out of time in this invocation hands its handle to the next one.
        after = deps.queue.publish({ ...task, continuation: outcome.continuation });
      } else if (ports) {
        const now = deps.clock.now();
        appendNow(deps, ports, task.executionId, { type: 'WorkerResult', result: outcome.result }, now);
        ports.ledger.finishNow(key, now);
      } else {
        const event: ExecutionEvent = { type: 'WorkerResult', result: outcome.result };
        // A group's result follows its children's events: it never takes the lone path, which assumes it is alone.
        after = (this.appendResult && !task.children ? this.appendResult(task.executionId, event) : appendEvent(deps, task.executionId, event))
          .then(() => deps.ledger.finish(key, deps.clock.now()));
      }
    } catch (err) {
      return this.fail(err);
    }
    if (!after) return this.done();
    return after.then(() => this.done(), (err: unknown) => this.fail(err));
  }

  private done(): void {
    this.beats.remove(this.key);
    this.deps.running.remove(this.key);
  }

  private fail(err: unknown): never {
    this.done();
    throw err;
  }
}

/**
 * Heartbeats of the attempts running in one worker, on one shared timer: a timer per attempt costs
 * more than a quick attempt. Each running attempt is beaten at least every `heartbeatMs`.
 */
class Heartbeats {
  private readonly running = new Set<AttemptKey>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WorkerHandlerDeps) {}

  add(key: AttemptKey): void {
    this.running.add(key);
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), this.deps.heartbeatMs ?? 30_000);
      this.timer.unref?.();
    }
  }

  remove(key: AttemptKey): void {
    this.running.delete(key);
    if (this.running.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private beat(): void {
    const now = this.deps.clock.now();
    for (const key of this.running) this.deps.ledger.heartbeat(key, now).catch(() => undefined);
  }
}

const heartbeats = new WeakMap<WorkerHandlerDeps, Heartbeats>();

function heartbeatsOf(deps: WorkerHandlerDeps): Heartbeats {
  let beats = heartbeats.get(deps);
  if (!beats) heartbeats.set(deps, (beats = new Heartbeats(deps)));
  return beats;
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
