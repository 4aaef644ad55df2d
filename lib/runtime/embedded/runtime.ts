// The embedded runtime: the engine, a worker pool and local adapters in one process.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EffectOf } from '../../model/effects';
import { AloftError, ErrorCode, toErrorData, type AloftErrorData } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import type { Flow } from '../../model/flow';
import { isTerminal, State } from '../../model/states';
import { PLUGIN_GROUPS } from '../../model/catalog';
import { catalog as defaultCatalog, type PluginCatalog } from '../../plugins/catalog';
import type { Clock, Ids, OutboxEntry, Subscription } from '../../ports';
import {
  FolderBlobStore, InProcessTaskQueue, MemoryAttemptLedger, MemoryFlowRepository, MemoryLogStore, MemoryStateStore,
  EnvSecrets, RandomIds, SystemClock,
} from '../../adapters/local';
import { envsFrom, LocalConfig, parseConfig, type Env } from '../core/config';
import { applyEffect, appendEvent, type EffectDeps } from '../core/effects';
import { executorPass, executorPassNow, RevisionCache } from '../core/pass';
import { createFlowCache } from '../core/flow-cache';
import { ExecutionProcessor } from './processor';
import { startExecution, type StartRequest } from '../core/start-execution';
import { handleWorkerTaskNow, InProcessAttempts } from '../core/worker-handler';
import { LocalWakeUps } from './timers';
import { deployFlowSource } from '../core/deploy';
import { replay as replayExecution } from '../../engine';
import { pending } from '../core/events';

export interface LocalRuntimeOptions {
  env: Env;
  clock?: Clock;
  ids?: Ids;
  catalog?: PluginCatalog;
  /** Deliver every worker task twice (tests of idempotency). */
  duplicateDeliveries?: boolean;
  /** Structured log lines (one JSON object per line) go here; default: dropped. */
  stdoutLog?: (line: Record<string, unknown>) => void;
  onEnded?: (effect: EffectOf<'ExecutionEnded'>) => void | Promise<void>;
}

export type UpdateListener = (execution: Execution, before: Execution) => void;

export class LocalRuntime {
  readonly config: LocalConfig;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly catalog: PluginCatalog;
  readonly store = new MemoryStateStore();
  readonly flowRepo = new MemoryFlowRepository();
  readonly flows = createFlowCache(this.flowRepo);
  readonly ledger = new MemoryAttemptLedger();
  readonly logs = new MemoryLogStore();
  readonly blobs: FolderBlobStore;
  readonly queue: InProcessTaskQueue;
  private readonly processor: ExecutionProcessor;
  private readonly wakeUps: LocalWakeUps;
  private readonly running = new InProcessAttempts();
  private readonly listeners = new Set<UpdateListener>();
  private readonly waiters = new Map<string, Array<{ resolve: (e: Execution) => void; reject: (err: Error) => void }>>();
  private readonly subscriptions: Subscription[] = [];
  private readonly effectDeps: EffectDeps;
  private readonly errors: Array<{ executionId: string; error: AloftErrorData }> = [];
  private started = false;

  constructor(private readonly opts: LocalRuntimeOptions) {
    this.config = parseConfig(LocalConfig, opts.env);
    this.clock = opts.clock ?? new SystemClock();
    this.ids = opts.ids ?? new RandomIds();
    this.catalog = opts.catalog ?? defaultCatalog();
    this.blobs = new FolderBlobStore({ root: join(this.config.ALOFT_DATA_DIR, 'storage') });
    this.queue = new InProcessTaskQueue({ duplicateDeliveries: opts.duplicateDeliveries, concurrency: this.config.ALOFT_WORKER_CONCURRENCY });
    const wake = (id: string): void => this.processor.wake(id);
    this.wakeUps = new LocalWakeUps(this.clock, (executionId, taskRunId, reason) =>
      appendEvent({ store: this.store, clock: this.clock, ids: this.ids, wake }, executionId, { type: 'WakeUp', taskRunId, reason }).then(() => undefined));
    this.effectDeps = {
      store: this.store, queue: this.queue, flows: this.flows, blobs: this.blobs, wakeUps: this.wakeUps, clock: this.clock, ids: this.ids, wake,
      attempts: { stop: async (key) => { this.running.stop(key); } },
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
    const passNow = { store: this.store, flows: revisions, catalog: this.catalog, clock: this.clock, ids: this.ids, context };
    this.processor = new ExecutionProcessor(this.store, {
      pass: (id) => executorPass({ store: this.store, flows, catalog: this.catalog, clock: this.clock, ids: this.ids, context }, id),
      publish: (entries) => this.publish(entries),
      updated: (execution, before) => this.updated(execution, before),
      failed: (executionId, err) => this.failed(executionId, err),
      now: {
        pass: (id) => executorPassNow(passNow, id),
        publish: (entries) => this.publishNow(entries),
        hasPending: (id) => this.store.hasPendingNow(id),
        fresh: (id) => this.store.getNow(id)?.state.current === State.CREATED,
      },
    });
  }

  /** Starts the worker consumers. Idempotent. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const worker = {
      catalog: this.catalog, blobs: this.blobs, secrets: new EnvSecrets(this.opts.env), logs: this.logs, clock: this.clock,
      env: this.opts.env, tempRoot: join(this.config.ALOFT_DATA_DIR, 'tmp'), stdoutLog: this.opts.stdoutLog,
    };
    const deps = {
      store: this.store, ledger: this.ledger, queue: this.queue, clock: this.clock, ids: this.ids, worker, running: this.running,
      workerId: `local-${randomUUID().slice(0, 8)}`, wake: (id: string) => this.processor.wake(id),
    };
    const ports = { store: this.store, ledger: this.ledger };
    for (const group of PLUGIN_GROUPS) {
      this.subscriptions.push(await this.queue.subscribe(group, (task) => handleWorkerTaskNow(deps, ports, task)));
    }
  }

  async stop(): Promise<void> {
    this.running.abortAll();
    this.wakeUps.cancelAll();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
    await this.processor.idle();
  }

  /** Parses and saves a flow (a new revision when changed). Throws FLOW_INVALID with every diagnostic. */
  async deploy(source: string, file?: string): Promise<{ flow: Flow; revision: number; warnings: AloftErrorData[] }> {
    return deployFlowSource({ repo: this.flowRepo, catalog: this.catalog, clock: this.clock }, source, file);
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
    const source = await this.store.get(executionId);
    if (!source) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    const flow = await this.flows.get(source.namespace, source.flowId, source.flowRevision);
    const from = taskRunId ?? source.taskRunList.find((r) => r.parentTaskRunId === undefined)?.id;
    if (!from) return startExecution(this.effectDeps, { flow, inputs: source.inputs, labels: source.labels, originalId: source.id });
    const now = this.clock.now();
    const execution = replayExecution(source, flow, from, this.ids.next(), now, this.ids);
    await this.store.create(execution, pending({ type: 'ExecutionCreated' }, now, () => this.ids.next()));
    this.processor.wake(execution.id);
    return execution;
  }

  get(executionId: string): Promise<Execution | null> {
    return this.store.get(executionId);
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
  async waitForEnd(executionId: string): Promise<Execution> {
    const current = await this.store.get(executionId);
    if (current && this.settled(current)) return current;
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(executionId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(executionId, list);
    });
  }

  /** Executor failures that were not user errors (bugs, storage faults), for tests and the CLI. */
  internalErrors(): ReadonlyArray<{ executionId: string; error: AloftErrorData }> {
    return this.errors;
  }

  private settled(e: Execution): boolean {
    if (this.processor.isBusy(e.id)) return false;
    if (isTerminal(e.state.current)) return true;
    return e.state.current === State.PAUSED && !this.wakeUps.has(e.id) && onlyPausesActive(e);
  }

  /**
   * Waiters are answered after the pass that made the state final has published its effects (a pause's
   * timeout timer is only registered then), so the check runs once the processor is done with it.
   */
  private checkWaiters(executionId: string): void {
    setImmediate(() => {
      if (!this.waiters.has(executionId)) return;
      if (this.processor.isBusy(executionId)) { this.checkWaiters(executionId); return; }
      void this.store.get(executionId).then((e) => {
        const waiting = this.waiters.get(executionId);
        if (!e || !waiting || !this.settled(e)) return;
        this.waiters.delete(executionId);
        for (const w of waiting) w.resolve(e);
      });
    });
  }

  private failed(executionId: string, err: unknown): void {
    const error = toErrorData(err);
    this.errors.push({ executionId, error });
    const waiting = this.waiters.get(executionId);
    if (!waiting) return;
    this.waiters.delete(executionId);
    for (const w of waiting) w.reject(new AloftError(ErrorCode.INTERNAL, `the executor failed on execution ${executionId}: ${error.message}`));
  }

  /** Queues worker tasks synchronously, in order, up to the first other effect; the rest goes through `publish`. */
  private publishNow(entries: OutboxEntry[]): Promise<void> | undefined {
    let i = 0;
    const done: OutboxEntry[] = [];
    for (; i < entries.length; i++) {
      const entry = entries[i];
      if (entry.effect.type !== 'DispatchWorkerTask') break;
      try {
        this.queue.publishNow(entry.effect.workerTask);
        done.push(entry);
      } catch (err) {
        this.errors.push({ executionId: entry.executionId, error: toErrorData(err, ErrorCode.INTERNAL) });
      }
    }
    this.store.ackOutboxNow(done);
    return i < entries.length ? this.publish(entries.slice(i)) : undefined;
  }

  private async publish(entries: OutboxEntry[]): Promise<void> {
    const done: OutboxEntry[] = [];
    for (const entry of entries) {
      try {
        await applyEffect(this.effectDeps, entry.effect);
        done.push(entry);
      } catch (err) {
        this.errors.push({ executionId: entry.executionId, error: toErrorData(err, ErrorCode.INTERNAL) });
      }
    }
    await this.store.ackOutbox(done);
  }

  private updated(execution: Execution, before: Execution): void {
    for (const l of this.listeners) l(execution, before);
    const s2 = execution.state.current;
    if (this.waiters.has(execution.id) && (isTerminal(s2) || s2 === State.PAUSED)) this.checkWaiters(execution.id);
  }
}

/** True when every run still active is a paused run or one of its ancestors (a sibling branch may still work). */
function onlyPausesActive(e: Execution): boolean {
  const byId = new Map(e.taskRunList.map((r) => [r.id, r]));
  const waiting = new Set<string>();
  for (const r of e.taskRunList) {
    if (r.state.current !== State.PAUSED) continue;
    for (let at: TaskRun | undefined = r; at && !waiting.has(at.id); at = at.parentTaskRunId ? byId.get(at.parentTaskRunId) : undefined) waiting.add(at.id);
  }
  return e.taskRunList.every((r) => isTerminal(r.state.current) || waiting.has(r.id));
}
