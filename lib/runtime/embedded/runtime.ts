// The embedded runtime: the engine, a worker pool and the embedded adapters in one process. It runs the
// same executor pass (core/pass.ts), effects (core/effects.ts, core/publish.ts), wake-ups
// (core/wake-ups.ts), worker handler (core/worker-handler.ts) and recovery sweep (core/recovery.ts) as
// the cloud; only its transports differ: an event appended wakes an in-process processor, worker tasks
// go through an in-process queue, and wake-ups are process timers.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EffectOf } from '../../model/effects';
import { AloftError, ErrorCode, toErrorData, type AloftErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { Flow } from '../../model/flow';
import type { WorkerTask } from '../../model/worker-messages';
import { State } from '../../model/states';
import { PLUGIN_GROUPS } from '../../model/catalog';
import { catalog as defaultCatalog, type PluginCatalog } from '../../plugins/catalog';
import type { AttemptKey, Clock, Ids, OutboxEntry, Subscription } from '../../ports';
import { EnvSecrets, FolderBlobStore, InProcessTaskQueue, SystemClock, TimeOrderedIds } from '../../adapters/local';
import { envsFrom, LocalConfig, parseConfig, type Env } from '../core/config';
import { appendEvent, type EffectDeps } from '../core/effects';
import { executorPass, executorPassNow, RevisionCache } from '../core/pass';
import { createFlowCache } from '../core/flow-cache';
import { publishOutbox } from '../core/publish';
import { fireDue, recoverLost, republish, sweep, type RecoveryDeps } from '../core/recovery';
import { QueuedTasks } from './queued-tasks';
import { othersClaims, unqueuedOutbox } from './recovery-views';
import { startExecution, type StartRequest } from '../core/start-execution';
import { handleWorkerTaskNow, InProcessAttempts } from '../core/worker-handler';
import { fireWakeUp, ProcessTimers, StoredWakeUps } from '../core/wake-ups';
import { deployFlowSource } from '../core/deploy';
import { replay as replayExecution } from '../../engine';
import { pending } from '../core/events';
import { memoryAdapters, type EmbeddedAdapters } from './adapters';
import { EndWaiters } from './end-waiters';
import { ExecutionProcessor } from './processor';

export interface LocalRuntimeOptions {
  env: Env;
  clock?: Clock;
  ids?: Ids;
  catalog?: PluginCatalog;
  /** The stores. Default: in memory. */
  adapters?: EmbeddedAdapters;
  /** Deliver every worker task twice (tests of idempotency). */
  duplicateDeliveries?: boolean;
  /** Structured log lines (one JSON object per line) go here; default: dropped. */
  stdoutLog?: (line: Record<string, unknown>) => void;
  /** Called once per ended execution, from its ExecutionEnded effect (flow triggers, as in the cloud). */
  onEnded?: (effect: EffectOf<'ExecutionEnded'>) => void | Promise<void>;
}

export type UpdateListener = (execution: Execution, before: Execution) => void;

/** What the first recovery of a runtime found, for the log and tests. */
export interface StartRecovery {
  republished: number;
  lost: number;
  wakeUps: number;
  stranded: number;
}

export class LocalRuntime {
  readonly config: LocalConfig;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly catalog: PluginCatalog;
  readonly adapters: EmbeddedAdapters;
  readonly blobs: FolderBlobStore;
  readonly queue: InProcessTaskQueue;
  readonly workerId = `local-${randomUUID().slice(0, 8)}`;
  private readonly processor: ExecutionProcessor;
  private readonly timers: ProcessTimers;
  private readonly wakeUps: StoredWakeUps;
  private readonly running = new InProcessAttempts();
  private readonly listeners = new Set<UpdateListener>();
  private readonly waiters: EndWaiters;
  private readonly subscriptions: Subscription[] = [];
  private readonly effectDeps: EffectDeps;
  private readonly errors: Array<{ executionId: string; error: AloftErrorData }> = [];
  /** On a persistent store, the worker tasks in the in-process queue; in memory an entry is acknowledged once queued. */
  private readonly queued = new QueuedTasks();
  private recoveryTimer?: NodeJS.Timeout;
  private recovering?: Promise<unknown>;
  private started?: Promise<StartRecovery>;
  private stopped = false;
  readonly flows;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.config = parseConfig(LocalConfig, opts.env);
    this.clock = opts.clock ?? new SystemClock();
    this.ids = opts.ids ?? new TimeOrderedIds(this.clock);
    this.catalog = opts.catalog ?? defaultCatalog();
    this.adapters = opts.adapters ?? memoryAdapters();
    this.flows = createFlowCache(this.adapters.flowRepo);
    this.blobs = new FolderBlobStore({ root: join(this.dataDir, 'storage') });
    this.queue = new InProcessTaskQueue({ duplicateDeliveries: opts.duplicateDeliveries, concurrency: this.config.ALOFT_WORKER_CONCURRENCY });
    const wake = (id: string): void => this.processor.wake(id);
    const store = this.adapters.store;
    this.timers = new ProcessTimers((err, w) => this.errors.push({ executionId: w.executionId, error: toErrorData(err) }));
    this.wakeUps = new StoredWakeUps({ store, wakeUpStore: this.adapters.wakeUpStore, clock: this.clock, ids: this.ids, wake }, this.timers);
    this.effectDeps = {
      store, queue: this.queue, flows: this.flows, blobs: this.blobs, wakeUps: this.wakeUps, clock: this.clock, ids: this.ids, wake,
      attempts: { stop: (key) => this.stopAttempt(key) },
      onEnded: opts.onEnded,
    };
    const context = { globals: this.config.ALOFT_GLOBALS, envs: envsFrom(opts.env) };
    // Flow revisions the asynchronous pass loaded, for the synchronous one.
    const revisions = new RevisionCache();
    const flows = {
      get: async (namespace: string, flowId: string, revision?: number): Promise<Flow> => {
        const flow = await this.flows.get(namespace, flowId, revision);
        if (revision !== undefined) revisions.set(namespace, flowId, revision, flow);
        return flow;
      },
    };
    const passNow = { store, flows: revisions, catalog: this.catalog, clock: this.clock, ids: this.ids, context };
    this.waiters = new EndWaiters({
      get: (id) => store.get(id), isBusy: (id) => this.processor.isBusy(id), hasTimer: (id) => this.timers.has(id),
    });
    this.processor = new ExecutionProcessor(store, {
      pass: (id) => executorPass({ store, flows, catalog: this.catalog, clock: this.clock, ids: this.ids, context }, id),
      publish: (entries) => this.publish(entries).then(() => undefined),
      updated: (execution, before) => this.updated(execution, before),
      failed: (executionId, err) => this.failed(executionId, err),
      now: {
        pass: (id) => executorPassNow(passNow, id),
        publish: (entries) => this.publishNow(entries),
        hasPending: (id) => store.hasPendingNow(id),
        fresh: (id) => store.getNow(id)?.state.current === State.CREATED,
      },
    });
  }

  /** Where internal storage and scratch space live: the data directory, else ALOFT_DATA_DIR. */
  get dataDir(): string { return this.adapters.dataDir ?? this.config.ALOFT_DATA_DIR; }
  get store() { return this.adapters.store; }
  get flowRepo() { return this.adapters.flowRepo; }
  get ledger() { return this.adapters.ledger; }
  get logs() { return this.adapters.logs; }

  /**
   * Recovers what a previous process left in the stores (on a data directory), then starts the worker
   * consumers and the periodic recovery sweep. Idempotent; resolves with what the recovery found.
   */
  start(): Promise<StartRecovery> {
    this.started ??= this.boot();
    return this.started;
  }

  private async boot(): Promise<StartRecovery> {
    const found = this.adapters.persistent ? await this.recoverAtStart() : { republished: 0, lost: 0, wakeUps: 0, stranded: 0 };
    const worker = {
      catalog: this.catalog, blobs: this.blobs, secrets: new EnvSecrets(this.opts.env), kv: this.adapters.kv, logs: this.adapters.logs, executions: this.adapters.store, clock: this.clock,
      env: this.opts.env, tempRoot: join(this.dataDir, 'tmp'), cacheRoot: join(this.dataDir, 'cache'), stdoutLog: this.opts.stdoutLog,
    };
    const { store, ledger } = this.adapters;
    const deps = {
      store, ledger, queue: this.queue, clock: this.clock, ids: this.ids, worker, running: this.running,
      workerId: this.workerId, wake: (id: string) => this.processor.wake(id), heartbeatMs: this.config.ALOFT_HEARTBEAT_MS,
      durable: () => this.adapters.durable(),
    };
    const ports = { store, ledger };
    const persistent = this.adapters.persistent;
    for (const group of PLUGIN_GROUPS) {
      this.subscriptions.push(await this.queue.subscribe(group, (task) => {
        const ran = handleWorkerTaskNow(deps, ports, task);
        // Claimed (or refused) in this turn: the worker task is no longer only in the queue.
        if (persistent) this.delivered(task);
        return ran;
      }));
    }
    const every = this.config.ALOFT_RECOVERY_INTERVAL_MS;
    if (every > 0) {
      const loop = (): void => {
        this.recoveryTimer = setTimeout(() => {
          this.recovering = this.sweep().finally(() => { this.recovering = undefined; if (!this.stopped) loop(); });
        }, every);
        this.recoveryTimer.unref?.();
      };
      loop();
    }
    return found;
  }

  /**
   * Stops: no new attempt starts, running attempts are given `graceMs` to finish, then aborted (an aborted
   * attempt of a persistent runtime reports nothing: it stays RUNNING in the ledger and is recovered as
   * lost on the next start, instead of ending its execution KILLED).
   */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    this.stopped = true;
    if (this.recoveryTimer) clearTimeout(this.recoveryTimer);
    await this.recovering;
    this.timers.cancelAll();
    const closing = Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
    if (opts.graceMs && opts.graceMs > 0) {
      const timer = setTimeout(() => this.running.abortAll({ abandon: this.adapters.persistent }), opts.graceMs);
      await closing;
      clearTimeout(timer);
    } else {
      this.running.abortAll({ abandon: this.adapters.persistent });
      await closing;
    }
    await this.processor.idle();
    await this.adapters.durable();
  }

  /** Stops and closes the stores. */
  async close(opts: { graceMs?: number } = {}): Promise<void> {
    await this.stop(opts);
    await this.adapters.close();
  }

  /** Parses and saves a flow (a new revision when changed). Throws FLOW_INVALID with every diagnostic. */
  async deploy(source: string, file?: string): Promise<{ flow: Flow; revision: number; warnings: AloftErrorData[] }> {
    return deployFlowSource({ repo: this.adapters.flowRepo, catalog: this.catalog, clock: this.clock }, source, file);
  }

  async startExecution(req: StartRequest): Promise<Execution> {
    await this.start();
    return startExecution(this.effectDeps, req);
  }

  async kill(executionId: string): Promise<void> {
    await appendEvent(this.effectDeps, executionId, { type: 'Kill' });
  }

  async resume(executionId: string, inputs?: Record<string, unknown>, taskRunId?: string): Promise<void> {
    await appendEvent(this.effectDeps, executionId, { type: 'Resume', ...(inputs ? { inputs } : {}), ...(taskRunId ? { taskRunId } : {}) });
  }

  async restart(executionId: string): Promise<void> {
    await appendEvent(this.effectDeps, executionId, { type: 'Restart' });
  }

  /** A new execution that runs `executionId` again from `taskRunId` (from its first task without one). */
  async replay(executionId: string, taskRunId?: string): Promise<Execution> {
    await this.start();
    const store = this.adapters.store;
    const source = await store.get(executionId);
    if (!source) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    const flow = await this.flows.get(source.namespace, source.flowId, source.flowRevision);
    const from = taskRunId ?? source.taskRunList.find((r) => r.parentTaskRunId === undefined)?.id;
    if (!from) return startExecution(this.effectDeps, { flow, inputs: source.inputs, labels: source.labels, originalId: source.id });
    const now = this.clock.now();
    const execution = replayExecution(source, flow, from, this.ids.next(), now, this.ids);
    await store.create(execution, pending({ type: 'ExecutionCreated' }, now, () => this.ids.next()));
    this.processor.wake(execution.id);
    return execution;
  }

  get(executionId: string): Promise<Execution | null> {
    return this.adapters.store.get(executionId);
  }

  onUpdate(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once the execution ended, or is PAUSED with nothing left that could wake it; in both cases
   * only when no event waits to be folded (a Restart or Resume just appended changes the answer).
   * Rejects when the executor failed on it for a reason that is not the user's.
   */
  waitForEnd(executionId: string): Promise<Execution> {
    return this.waiters.wait(executionId);
  }

  /** Executor failures that were not user errors (bugs, storage faults), for tests and the CLI. */
  internalErrors(): ReadonlyArray<{ executionId: string; error: AloftErrorData }> {
    return this.errors;
  }

  /** One run of the recovery sweep with the configured cut-offs (the periodic loop calls it). */
  async sweep(now: Date = this.clock.now()): Promise<void> {
    const c = this.config;
    const r = this.recovery();
    const before = (ms: number): Date => new Date(now.getTime() - ms);
    const steps: Array<() => Promise<unknown>> = [
      // Worker tasks still in the in-process queue are not lost: only the others are carried out again.
      () => republish({ ...r, store: unqueuedOutbox(this.adapters.store, this.queued.ids) }, before(c.ALOFT_OUTBOX_REPUBLISH_MS)),
      () => recoverLost({ ...r, ledger: othersClaims(this.adapters.ledger, this.workerId, this.running) }, before(c.ALOFT_LOST_AFTER_MS), now),
      () => fireDue(r, now),
      () => sweep(r, before(c.ALOFT_SWEEP_AFTER_MS), now),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        this.log('ERROR', `recovery: ${toErrorData(err).message}`);
      }
    }
  }

  /**
   * The first recovery of a process on a data directory: everything the last process left is its own to
   * finish, with no cut-off (this process owns the directory, so nothing there is anyone else's): every
   * attempt still RUNNING is lost, every effect not acknowledged is carried out, every stored wake-up is
   * re-armed (the due ones fire), and every execution with pending events is folded.
   */
  private async recoverAtStart(): Promise<StartRecovery> {
    const r = { ...this.recovery(), batch: 100_000 };
    const now = this.clock.now();
    const all = new Date(now.getTime() + 1);
    const { lost } = await recoverLost(r, all, now);
    const republished = await republish(r, all);
    const stored = await this.adapters.wakeUpStore.due(new Date('9999-12-31T23:59:59.999Z'), r.batch);
    for (const w of stored) this.wakeUps.arm(w);
    const stranded = await this.adapters.stranded.find(all, now, r.batch);
    for (const id of stranded) this.processor.wake(id);
    const found = { republished, lost, wakeUps: stored.length, stranded: stranded.length };
    if (lost + republished + stored.length + stranded.length > 0) {
      this.log('WARNING', `recovered after a restart: ${lost} lost attempt(s) to retry, ${republished} effect(s) carried out again, ${stored.length} wake-up(s) re-armed, ${stranded.length} execution(s) resumed`);
    }
    return found;
  }

  private recovery(): RecoveryDeps {
    const { store, ledger, wakeUpStore, stranded } = this.adapters;
    const wake = (id: string): void => this.processor.wake(id);
    return {
      store, ledger, wakeUpStore, stranded, clock: this.clock, ids: this.ids, batch: 500, wake,
      // This process's own claims are left out of the sweep (othersClaims), and the data directory's lock
      // means every other claim's process is dead: a stale claim here is lost, with no wait to confirm it.
      confirmLost: false,
      publish: (entries) => this.publish([...entries]),
      fire: (w) => fireWakeUp({ store, wakeUpStore, clock: this.clock, ids: this.ids, wake }, w),
      fold: async (id) => { wake(id); return true; },
      stop: async (key) => { this.running.stop(key); },
      report: (level, message, labels) => this.log(level === 'WARN' ? 'WARNING' : 'ERROR', `recovery: ${message}`, labels),
    };
  }

  private async stopAttempt(key: AttemptKey): Promise<void> {
    // A queued attempt then fails its claim; a running one is aborted.
    await this.adapters.ledger.refuse(key, this.clock.now());
    this.running.stop(key);
  }

  private delivered(task: WorkerTask): void {
    const entry = this.queued.take(task);
    if (entry) this.adapters.store.ackOutboxNow([entry]);
  }

  private failed(executionId: string, err: unknown): void {
    const error = toErrorData(err);
    this.errors.push({ executionId, error });
    this.waiters.failed(executionId, error.message);
  }

  /** Queues worker tasks synchronously, in order, up to the first other effect; the rest goes through `publish`. */
  private publishNow(entries: OutboxEntry[]): Promise<void> | undefined {
    const persistent = this.adapters.persistent;
    let i = 0;
    let unqueued: Set<OutboxEntry> | undefined;
    for (; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.effect.type !== 'DispatchWorkerTask') break;
      try {
        this.queue.publishNow(entry.effect.workerTask);
        // After the publish (delivery starts on a later turn): a task that could not be queued is not
        // marked queued, so the sweep carries it out again.
        if (persistent) this.queued.add(entry, entry.effect.workerTask);
      } catch (err) {
        (unqueued ??= new Set()).add(entry);
        this.errors.push({ executionId: entry.executionId, error: toErrorData(err, ErrorCode.INTERNAL) });
      }
    }
    // What could not be queued stays in the outbox, for the recovery sweep to carry out again.
    if (!persistent && i > 0) {
      const queued = i === entries.length ? entries : entries.slice(0, i);
      this.adapters.store.ackOutboxNow(unqueued ? queued.filter((e) => !unqueued.has(e)) : queued);
    }
    return i < entries.length ? this.publish(entries.slice(i)).then(() => undefined) : undefined;
  }

  private async publish(entries: OutboxEntry[]): Promise<OutboxEntry[]> {
    const persistent = this.adapters.persistent;
    // Marked queued before the publish: delivery may start before publishOutbox returns.
    if (persistent) for (const entry of entries) if (entry.effect.type === 'DispatchWorkerTask') this.queued.add(entry, entry.effect.workerTask);
    return publishOutbox({
      failed: (entry, error) => {
        this.errors.push({ executionId: entry?.executionId ?? '', error });
        // Not queued after all: the sweep carries it out again.
        if (entry?.effect.type === 'DispatchWorkerTask') this.queued.remove(entry, entry.effect.workerTask);
      },
      acknowledges: (entry) => !persistent || entry.effect.type !== 'DispatchWorkerTask',
    }, this.effectDeps, entries);
  }

  private updated(execution: Execution, before: Execution): void {
    for (const l of this.listeners) l(execution, before);
    this.waiters.updated(execution);
  }

  private log(severity: string, message: string, labels: { executionId?: string; taskRunId?: string } = {}): void {
    this.opts.stdoutLog?.({ severity, message, ...labels });
  }
}
