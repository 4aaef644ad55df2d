// What the cloud handlers run on: the adapters (GCP by default: lib/adapters/gcp/runtime-adapters.ts) and the
// runtime pieces built over them. Everything is created on first use: the functions register at
// import time, but read their env and open clients only when the first request arrives.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ExecutionLease } from '../../ports/execution-lease';
import { RandomIds, SystemClock } from '../../adapters/local/system';
import type { EffectOf } from '../../model/effects';
import { catalog as defaultCatalog, type PluginCatalog } from '../../plugins/catalog';
import type {
  AttemptLedger, BlobStore, Clock, FlowRepository, Ids, LogStore, Secrets, StateStore,
} from '../../ports';
import type { AttemptStopStore, StrandedExecutions, WakeUpStore } from '../../ports/cloud-control';
import type { DeadLetter } from '../../ports/task-queue';
import type { TriggerStateStore } from '../../ports/trigger-state';
import type { FlowDependencyStore } from '../../ports/flow-dependency-store';
import type { KeyValueStore } from '../../ports/key-value-store';
import { exprRenderer } from '../../triggers/expr-renderer';
import type { Env } from '../core/config';
import { cloudConfigFromEnv, type CloudConfig } from './config';
import type { WorkerHandlerDeps } from '../core/worker-handler';
import { CloudAttemptControl, StopWatcher } from './attempt-control';
import type { ExecutorHandlerDeps } from './executor';
import { CloudLog, stdoutSink, type LogSink } from './log';
import type { SchedulerDeps } from './scheduler';
import { CloudTriggerRegistry, onExecutionEnded, reportTo, type TriggerDeps } from './triggers';
import { StoredWakeUps } from '../core/wake-ups';
import type { CloudWorkerDeps, DecodedWorkerMessage } from './worker';
import type { LoneEventStore, LoneTaskQueue } from './lone-events';
import type { EffectDeps } from '../core/effects';
import { createFlowCache, type FlowCache } from '../core/flow-cache';
import { startExecution } from '../core/start-execution';

/** The adapters behind the cloud runtime. */
export interface CloudAdapters {
  /** With the lone-event path the executor uses to skip the lease (lone-events.ts). */
  store: StateStore & LoneEventStore;
  flowRepo: FlowRepository;
  /** Each flow's references, filed by the API at save, for the dependency queries. */
  flowDependencies: FlowDependencyStore;
  ledger: AttemptLedger;
  logs: LogStore;
  blobs: BlobStore;
  queue: LoneTaskQueue;
  secrets: Secrets;
  lease: ExecutionLease;
  wakeUpStore: WakeUpStore;
  stops: AttemptStopStore;
  stranded: StrandedExecutions;
  /** Optional: without it Schedule and Flow triggers report NOT_IMPLEMENTED. */
  triggerState?: TriggerStateStore;
  /** Optional: without it the kv tasks and kv() report NOT_SUPPORTED. */
  kv?: KeyValueStore;
  /** Publishes a refused message to the dead-letter topic of its consumer (a worker group, or `pubsub-trigger`). */
  deadLetter(letter: DeadLetter): Promise<void>;
  /** Reads a worker's `messagePublished` CloudEvent. */
  decodeWorkerMessage(event: unknown): Promise<DecodedWorkerMessage> | DecodedWorkerMessage;
  close(): Promise<void>;
}

export interface AdapterContext {
  env: Env;
  /** Where adapters write their own structured log lines. */
  logSink: LogSink;
}

export type AdapterFactory = (config: CloudConfig, ctx: AdapterContext) => CloudAdapters;

export interface CloudDepsOptions {
  env: Env;
  /** Default: the GCP adapters over the clients the env names. */
  adapters: AdapterFactory;
  catalog?: PluginCatalog;
  clock?: Clock;
  ids?: Ids;
  /** Where structured log lines go. Default: stdout. */
  logSink?: LogSink;
  /** Wraps the adapters once they exist (benchmarks count operations this way). */
  instrument?(adapters: CloudAdapters): CloudAdapters;
  /** Called after each handler invocation (benchmarks count invocations and failures this way). */
  onHandled?(handled: HandledInvocation): void;
}

export interface HandledInvocation {
  /** The manifest name: executor, worker-core, scheduler, pubsub-trigger. */
  fn: string;
  ms: number;
  /** The handler's outcome, or the error it threw. */
  outcome?: unknown;
  error?: unknown;
}

const systemClock: Clock = new SystemClock();

/** Everything the handlers need, built lazily and once. */
export class CloudDeps {
  readonly instanceId = randomUUID().slice(0, 8);
  private readonly memo = new Map<string, unknown>();
  private holderSeq = 0;

  constructor(private readonly opts: CloudDepsOptions) {}

  private once<T>(key: string, make: () => T): T {
    if (!this.memo.has(key)) this.memo.set(key, make());
    return this.memo.get(key) as T;
  }

  get onHandled(): ((h: HandledInvocation) => void) | undefined { return this.opts.onHandled; }

  get config(): CloudConfig { return this.once('config', () => cloudConfigFromEnv(this.opts.env)); }
  get clock(): Clock { return this.opts.clock ?? systemClock; }
  get ids(): Ids { return this.once('ids', () => this.opts.ids ?? new RandomIds()); }
  get catalog(): PluginCatalog { return this.once('catalog', () => this.opts.catalog ?? defaultCatalog()); }
  get log(): CloudLog { return this.once('log', () => new CloudLog(this.opts.logSink ?? stdoutSink, this.clock, 'aloft')); }

  get adapters(): CloudAdapters {
    return this.once('adapters', () => {
      const made = this.opts.adapters(this.config, { env: this.opts.env, logSink: this.opts.logSink ?? stdoutSink });
      return this.opts.instrument ? this.opts.instrument(made) : made;
    });
  }

  get flows(): FlowCache { return this.once('flows', () => createFlowCache(this.adapters.flowRepo)); }
  get renderer() { return this.once('renderer', () => exprRenderer(this.clock)); }
  get context() { return this.once('context', () => ({ globals: this.config.runtime.ALOFT_GLOBALS, envs: this.config.envs })); }

  get triggers(): TriggerDeps {
    return this.once('triggers', (): TriggerDeps => ({
      flowRepo: this.adapters.flowRepo, triggerState: this.adapters.triggerState, renderer: this.renderer, clock: this.clock,
      log: this.log.child('triggers'), timezone: this.config.runtime.ALOFT_TIMEZONE, projectId: this.config.gcp.projectId,
      cacheMs: 30_000, context: this.context, blobs: this.adapters.blobs, env: this.opts.env,
      realtimeWindowMs: this.config.runtime.ALOFT_KAFKA_REALTIME_WINDOW_MS,
      loadExecution: (id) => this.adapters.store.get(id),
      start: (req) => startExecution({ store: this.adapters.store, blobs: this.adapters.blobs, clock: this.clock, ids: this.ids, wake: () => undefined },
        { flow: req.flow, id: req.id, inputs: req.inputs, trigger: req.trigger }),
    }));
  }

  get registry(): CloudTriggerRegistry {
    return this.once('registry', () => new CloudTriggerRegistry(this.triggers, reportTo(this.log.child('triggers'))));
  }

  get effects(): EffectDeps {
    return this.once('effects', (): EffectDeps => {
      const a = this.adapters;
      const onEnded = onExecutionEnded(this.triggers, this.registry);
      return {
        store: a.store, queue: a.queue, flows: this.flows, blobs: a.blobs, clock: this.clock, ids: this.ids,
        wakeUps: new StoredWakeUps({ store: a.store, wakeUpStore: a.wakeUpStore, clock: this.clock, ids: this.ids }),
        attempts: new CloudAttemptControl(a.stops, a.ledger, this.clock),
        // Appends wake the executor through Firestore: nothing to do in-process.
        wake: () => undefined,
        onEnded: (effect: EffectOf<'ExecutionEnded'>) => onEnded(effect),
      };
    });
  }

  get executor(): ExecutorHandlerDeps {
    return this.once('executor', (): ExecutorHandlerDeps => ({
      exec: { store: this.adapters.store, flows: this.flows, catalog: this.catalog, clock: this.clock, ids: this.ids, context: this.context },
      effects: this.effects,
      lease: this.adapters.lease,
      queue: this.adapters.queue,
      wakeUpStore: this.adapters.wakeUpStore,
      log: this.log.child('executor'),
      leaseMs: this.config.runtime.ALOFT_LEASE_MS,
      inlineWakeUpMs: this.config.runtime.ALOFT_INLINE_WAKEUP_MS,
      collectionPrefix: this.config.gcp.collectionPrefix,
      holder: () => `${this.instanceId}-${++this.holderSeq}`,
      deadLetter: (letter) => this.adapters.deadLetter(letter),
    }));
  }

  get workerHandler(): WorkerHandlerDeps {
    return this.once('workerHandler', (): WorkerHandlerDeps => {
      const a = this.adapters;
      const r = this.config.runtime;
      const log = this.log.child('worker');
      return {
        store: a.store, ledger: a.ledger, queue: a.queue, clock: this.clock, ids: this.ids, workerId: `cloud-${this.instanceId}`,
        wake: () => undefined, heartbeatMs: r.ALOFT_HEARTBEAT_MS, startNoticeMs: r.ALOFT_START_NOTICE_MS,
        running: new StopWatcher(a.stops, r.ALOFT_STOP_POLL_MS, (err, key) =>
          log.error(`worker: could not check whether attempt ${key.attempt + 1} must stop`, err, { executionId: key.executionId, taskRunId: key.taskRunId })),
        worker: {
          catalog: this.catalog, blobs: a.blobs, secrets: a.secrets, kv: a.kv, logs: a.logs, executions: a.store, clock: this.clock, env: this.opts.env,
          tempRoot: r.ALOFT_TEMP_DIR, cacheRoot: join(r.ALOFT_TEMP_DIR, 'cache'), stdoutLog: this.opts.logSink ?? stdoutSink,
        },
      };
    });
  }

  get worker(): CloudWorkerDeps {
    return this.once('worker', (): CloudWorkerDeps => ({
      handler: this.workerHandler,
      decode: (event) => this.adapters.decodeWorkerMessage(event),
      lone: this.adapters.store,
      deadLetter: (letter) => this.adapters.deadLetter(letter),
      log: this.log.child('worker'),
      clock: this.clock,
      functionTimeoutMs: this.config.runtime.ALOFT_FUNCTION_TIMEOUT_MS,
      deadlineMarginMs: this.config.runtime.ALOFT_DEADLINE_MARGIN_MS,
    }));
  }

  get scheduler(): SchedulerDeps {
    return this.once('scheduler', (): SchedulerDeps => {
      const r = this.config.runtime;
      return {
        executor: this.executor, ledger: this.adapters.ledger, stops: this.adapters.stops, stranded: this.adapters.stranded,
        triggers: this.triggers, registry: this.registry, log: this.log.child('scheduler'),
        republishAfterMs: r.ALOFT_OUTBOX_REPUBLISH_MS, lostAfterMs: r.ALOFT_LOST_AFTER_MS, sweepAfterMs: r.ALOFT_SWEEP_AFTER_MS,
        batch: r.ALOFT_SCHEDULER_BATCH,
      };
    });
  }

  /**
   * Aborts the attempts this instance's worker runs, without a report (their claims stay RUNNING and
   * the scheduler finds them lost), so that a closing runtime need not wait for long tasks.
   */
  abandonAttempts(): void {
    (this.memo.get('workerHandler') as WorkerHandlerDeps | undefined)?.running.abortAll?.({ abandon: true });
  }

  /** Closes the adapters if they were ever created. */
  async close(): Promise<void> {
    const adapters = this.memo.get('adapters') as CloudAdapters | undefined;
    this.memo.clear();
    await adapters?.close();
  }
}
