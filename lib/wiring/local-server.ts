// `aloft server`: the embedded runtime behind the HTTP API on 127.0.0.1, with the scheduler loop,
// flow triggers, webhooks, polling triggers and (when PUBSUB_EMULATOR_HOST is set) Pub/Sub triggers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { z } from 'zod';
import type { AuthConfig } from '../api/auth';
import { refsOf } from '../api/dependencies';
import { createApiService, FlowValidationError, saveFlow } from '../api/port-service';
import type { Limits } from '../api/route';
import { createApiHandler } from '../api/router';
import { defaultUiDir } from '../api/ui-static';
import type { ApiService, SavedFlow } from '../api/service';
import { checkSyntax, referencedPaths } from '../expr';
import { formatError, toErrorData, type AloftErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import type { Flow } from '../model/flow';
import type { EffectOf } from '../model/effects';
import type { Clock, Ids } from '../ports/system';
import type { TriggerStateStore } from '../ports/trigger-state';
import { exprRenderer } from '../triggers/expr-renderer';
import { evaluateFlowTriggers } from '../triggers/flow-evaluate';
import { triggerKey } from '../triggers/ids';
import type { KafkaTriggerSource } from '../triggers/kafka';
import type { PubSubTriggerSource } from '../triggers/pubsub';
import type { Renderer } from '../triggers/render';
import { TriggerRegistry } from '../triggers/registry';
import type { TriggerReport } from '../triggers/report';
import type { StartFn } from '../triggers/start';
import { parseFlowWithTriggers } from '../triggers/validate';
import { envsFrom, lazyConfig, parseConfig, type Env } from '../runtime/core/config';
import type { EmbeddedAdapters } from '../runtime/embedded/adapters';
import { LocalRuntime } from '../runtime/embedded/runtime';
import { pollTriggers } from '../runtime/core/polling';
import { pollingTriggers } from '../triggers/polling-catalog';
import { LocalKafkaTriggers } from '../runtime/embedded/kafka-triggers';
import { LocalPubSubTriggers, LocalScheduler, type DeadLetter } from '../runtime/embedded/triggers';

export const ServerConfig = z.object({
  /** The time zone of Schedule triggers without their own. */
  ALOFT_TIMEZONE: z.string().default('UTC'),
  ALOFT_SCHEDULER_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
  PUBSUB_EMULATOR_HOST: z.string().trim().min(1).optional(),
  /** The project of Pub/Sub triggers without a projectId. */
  GOOGLE_CLOUD_PROJECT: z.string().default('aloft-local'),
  ALOFT_API_BODY_LIMIT: z.coerce.number().int().positive().optional(),
  ALOFT_WEBHOOK_BODY_LIMIT: z.coerce.number().int().positive().optional(),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

/** Makes a Pub/Sub trigger source for an emulator host; `close()` ends its subscriptions. */
export type PubSubSourceFactory = (
  emulatorHost: string, onError: (err: Error, subscription: string) => void,
) => Promise<PubSubTriggerSource & { close(): Promise<void> }>;

export interface LocalServerOptions {
  env: Env;
  /** 0 picks a free port. */
  port?: number;
  /** Every *.yml / *.yaml in it is loaded at start. */
  flowsDir?: string;
  auth?: AuthConfig;
  limits?: Partial<Limits>;
  clock?: Clock;
  ids?: Ids;
  triggerState?: TriggerStateStore;
  /** The stores (default: in memory); `openDataDir` gives the durable ones of a data directory. */
  adapters?: EmbeddedAdapters;
  /** A source of Pub/Sub messages; `null` turns Pub/Sub triggers off. Default: `pubsubSource` when PUBSUB_EMULATOR_HOST is set. */
  pubsub?: PubSubTriggerSource | null;
  /** Makes the source for PUBSUB_EMULATOR_HOST (lib/wiring/pubsub-triggers.ts): the runtime picks no GCP adapter itself. */
  pubsubSource?: PubSubSourceFactory;
  /** Where Kafka RealtimeTriggers read; `null` turns them off. Default: the Kafka client's reader, loaded once a flow has one. */
  kafka?: KafkaTriggerSource | null;
  /** Structured log lines (severity, message, labels). */
  log?(line: Record<string, unknown>): void;
  /** The built web UI served at /ui; default dist/ui; null serves none. */
  uiDir?: string | null;
}

const EXPRESSIONS = { referencedPaths, checkSyntax };

export class LocalServer {
  readonly runtime: LocalRuntime;
  readonly registry: TriggerRegistry;
  readonly triggerState: TriggerStateStore;
  readonly service: ApiService;
  private readonly config: () => ServerConfig;
  private readonly scheduler: LocalScheduler;
  private readonly renderer: Renderer;
  private readonly context: { globals: Record<string, unknown>; envs: Record<string, string> };
  private pubsub?: LocalPubSubTriggers;
  private closePubSubSource?: () => Promise<void>;
  private kafka?: LocalKafkaTriggers;
  private polling?: Promise<Execution[]>;
  private pollTimer?: NodeJS.Timeout;
  private http?: Server;
  private readonly evaluating = new Set<Promise<void>>();
  private opened?: Promise<void>;

  constructor(private readonly opts: LocalServerOptions) {
    this.config = lazyConfig(() => parseConfig(ServerConfig, opts.env));
    // Flow triggers are evaluated from the ExecutionEnded effect, as in the cloud: it is in the outbox
    // with the end itself, so a crash between the two still evaluates them after the restart.
    this.runtime = new LocalRuntime({
      env: opts.env, clock: opts.clock, ids: opts.ids, stdoutLog: opts.log, adapters: opts.adapters,
      onEnded: (effect) => {
        const evaluating = this.ended(effect).catch((err) => this.report({
          level: 'ERROR', executionId: effect.executionId, message: `flow triggers after ${effect.executionId} failed: ${toErrorData(err).message}`, error: toErrorData(err),
        }));
        this.evaluating.add(evaluating);
        void evaluating.finally(() => this.evaluating.delete(evaluating));
        return evaluating;
      },
    });
    this.triggerState = opts.triggerState ?? this.runtime.adapters.triggerState;
    this.registry = new TriggerRegistry((r) => this.report(r), this.config().ALOFT_TIMEZONE);
    this.renderer = exprRenderer(this.runtime.clock);
    this.context = { globals: this.runtime.config.ALOFT_GLOBALS, envs: envsFrom(opts.env) };
    const { renderer, context } = this;
    this.scheduler = new LocalScheduler(
      { state: this.triggerState, start: this.start, renderer, report: (r) => this.report(r), context },
      () => this.registry.scheduleTargets(), this.runtime.clock, this.config().ALOFT_SCHEDULER_INTERVAL_MS,
    );
    const rt = this.runtime;
    this.service = createApiService({
      flows: rt.flowRepo, executions: rt.store, logs: rt.logs, blobs: rt.blobs, kv: rt.adapters.kv, clock: rt.clock, ids: rt.ids, catalog: rt.catalog, renderer,
      parse: (source) => this.parse(source),
      start: (req) => rt.startExecution(req),
      kill: (id) => rt.kill(id),
      restart: (id) => rt.restart(id),
      resume: (id, inputs) => rt.resume(id, inputs),
      replay: (id, taskRunId) => rt.replay(id, taskRunId),
      onFlowSaved: (flow) => this.flowSaved(flow),
      onFlowDeleted: (flow) => this.flowDeleted(flow),
      dependencies: rt.adapters.flowDependencies,
    });
  }

  /** Starts executions for triggers: an existing id is a CONFLICT, so duplicates create nothing. */
  readonly start: StartFn = (req) => this.runtime.startExecution({ flow: req.flow, id: req.id, inputs: req.inputs, trigger: req.trigger });

  /** Loads the flows folder, starts the runtime, the trigger loops and the HTTP server. */
  /**
   * Registers the triggers of the flows the stores kept (a data directory), loads the flows folder, then
   * starts the runtime, whose recovery may end executions that trigger others. Idempotent.
   */
  open(): Promise<void> {
    this.opened ??= (async () => {
      const flows = await this.runtime.flowRepo.list();
      for (const stored of flows) this.registry.set({ ...stored.flow, revision: stored.revision });
      // A data directory written before flows' references were kept is filed once, here.
      const deps = this.runtime.adapters.flowDependencies;
      if (flows.length > 0 && (await deps.count()) === 0) for (const stored of flows) await deps.save(refsOf(stored.flow, this.runtime.catalog));
      if (this.opts.flowsDir) await this.loadFlows(this.opts.flowsDir);
      await this.runtime.start();
    })();
    return this.opened;
  }

  async listen(): Promise<{ url: string; port: number }> {
    await this.open();
    await this.startPubSub();
    await this.startKafka();
    this.scheduler.start();
    const every = this.config().ALOFT_SCHEDULER_INTERVAL_MS;
    if (every > 0) {
      const loop = (): void => {
        this.pollTimer = setTimeout(() => { void this.poll().finally(() => { if (this.pollTimer) loop(); }); }, every);
      };
      loop();
    }
    const c = this.config();
    const handler = createApiHandler({
      service: this.service, auth: this.opts.auth, uiDir: this.opts.uiDir === undefined ? defaultUiDir() : this.opts.uiDir ?? undefined,
      limits: { ...(c.ALOFT_API_BODY_LIMIT ? { bodyBytes: c.ALOFT_API_BODY_LIMIT } : {}), ...(c.ALOFT_WEBHOOK_BODY_LIMIT ? { webhookBodyBytes: c.ALOFT_WEBHOOK_BODY_LIMIT } : {}), ...this.opts.limits },
      onError: (err, req) => this.log('ERROR', `${req.method} ${req.url} failed: ${formatError({ code: 'INTERNAL', message: String((err as Error)?.message ?? err) })}`),
      onRequest: (r) => this.opts.log?.({ severity: r.status >= 500 ? 'ERROR' : 'INFO', message: `${r.method} ${r.route} ${r.status} ${r.durationMs} ms`, httpRequest: r }),
    });
    this.http = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.opts.port ?? 8080, '127.0.0.1', () => resolve());
    });
    const { port } = this.http.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, port };
  }

  /** Stops serving and closes the stores; running attempts get `graceMs` to finish (default: aborted at once). */
  async stop(opts: { graceMs?: number } = {}): Promise<void> {
    await this.scheduler.stop();
    clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.polling?.catch(() => undefined);
    if (this.http) {
      const server = this.http;
      this.http = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await this.pubsub?.close();
    await this.closePubSubSource?.();
    await this.kafka?.close();
    await this.runtime.close(opts);
  }

  /** Parses (triggers included), saves a new revision and registers its triggers. FLOW_INVALID with every diagnostic. */
  async deploy(source: string, file?: string): Promise<SavedFlow> {
    const parsed = this.parse(source, file);
    if (!parsed.ok) throw new FlowValidationError(parsed.errors);
    const rt = this.runtime;
    return saveFlow(
      { flows: rt.flowRepo, dependencies: rt.adapters.flowDependencies, catalog: rt.catalog, clock: rt.clock, onFlowSaved: (flow) => this.flowSaved(flow) },
      parsed.flow, source, parsed.warnings,
    );
  }

  /** Resolves once every flow-trigger evaluation started so far has finished (`aloft run` waits on it). */
  async triggersSettled(): Promise<void> {
    while (this.evaluating.size > 0) await Promise.all([...this.evaluating]);
  }

  /** One scheduler invocation (tests drive it with their clock; the loop calls it every second). */
  tickSchedules(now?: Date): Promise<Execution[]> {
    return this.scheduler.tick(now);
  }

  deadLetters(): readonly DeadLetter[] {
    return this.pubsub?.deadLetters ?? [];
  }

  private parse(source: string, file?: string) {
    return parseFlowWithTriggers(source, { catalog: this.runtime.catalog, expressions: EXPRESSIONS, ...(file ? { file } : {}) });
  }

  private async loadFlows(dir: string): Promise<void> {
    const names = (await readdir(dir)).filter((n) => ['.yml', '.yaml'].includes(extname(n))).sort();
    const errors: AloftErrorData[] = [];
    for (const name of names) {
      const file = join(dir, name);
      try {
        const saved = await this.deploy(await readFile(file, 'utf8'), file);
        for (const w of saved.warnings) this.log('WARNING', formatError(w));
      } catch (err) {
        const diagnostics = (err as { diagnostics?: AloftErrorData[] }).diagnostics;
        if (!diagnostics) throw err;
        errors.push(...diagnostics);
      }
    }
    if (errors.length > 0) throw new FlowValidationError(errors as never);
  }

  private async flowSaved(flow: Flow): Promise<void> {
    this.registry.set(flow);
    await this.pubsub?.sync(this.registry.pubSubTargets());
    await this.kafka?.sync(this.registry.kafkaRealtimeTargets());
  }

  private async flowDeleted(flow: Flow): Promise<void> {
    this.registry.remove(flow.namespace, flow.id);
    for (const t of flow.triggers ?? []) await this.triggerState.deleteTrigger(triggerKey(flow.namespace, flow.id, t.id));
    await this.pubsub?.sync(this.registry.pubSubTargets());
    await this.kafka?.sync(this.registry.kafkaRealtimeTargets());
  }

  private async startPubSub(): Promise<void> {
    let source = this.opts.pubsub;
    if (source === null) return;
    const host = this.config().PUBSUB_EMULATOR_HOST;
    if (source === undefined) {
      if (!host || !this.opts.pubsubSource) return;
      const created = await this.opts.pubsubSource(host, (err, sub) => this.log('ERROR', `Pub/Sub subscription ${sub}: ${err.message}`));
      this.closePubSubSource = () => created.close();
      source = created;
    }
    this.pubsub = new LocalPubSubTriggers(source, {
      start: this.start, renderer: this.renderer, report: (r) => this.report(r), projectId: this.config().GOOGLE_CLOUD_PROJECT,
    });
    await this.pubsub.sync(this.registry.pubSubTargets());
  }

  /** One pass of the polling triggers whose interval slot is due (tests drive it with their clock). Passes never overlap. */
  async poll(now: Date = this.runtime.clock.now()): Promise<Execution[]> {
    while (this.polling) await this.polling.catch(() => undefined);
    const rt = this.runtime;
    this.polling = pollTriggers({
      state: this.triggerState, blobs: rt.blobs, start: this.start, renderer: this.renderer, report: (r) => this.report(r),
      context: this.context, env: this.opts.env, triggers: pollingTriggers,
      executionState: async (id) => (await rt.store.get(id))?.state.current,
    }, this.registry.pollTargets(), now);
    try {
      return await this.polling;
    } finally {
      this.polling = undefined;
    }
  }

  /** Kafka RealtimeTriggers run in this process, as Kestra's do in its scheduler. */
  private async startKafka(): Promise<void> {
    const given = this.opts.kafka;
    if (given === null || this.kafka) return;
    this.kafka = new LocalKafkaTriggers(
      async () => given ?? (await import('../plugins/kafka/trigger-source')).kafkaTriggerSource,
      { start: this.start, renderer: this.renderer, report: (r) => this.report(r), context: this.context },
    );
    await this.kafka.sync(this.registry.kafkaRealtimeTargets());
  }

  /** Flow triggers of an execution that just ended; errors are reported per trigger, never thrown. */
  private async ended(effect: EffectOf<'ExecutionEnded'>): Promise<void> {
    const { executionId: id, namespace, flowId, flowRevision, state } = effect;
    await evaluateFlowTriggers({
      index: this.registry.flowIndex, state: this.triggerState, renderer: this.renderer,
      loadExecution: (other) => this.runtime.get(other), start: this.start, report: (r) => this.report(r), context: this.context,
    }, { id, namespace, flowId, flowRevision, state }, this.runtime.clock.now());
  }

  private report(r: TriggerReport): void {
    const [namespace, flowId] = r.flow ? [r.flow.slice(0, r.flow.lastIndexOf('.')), r.flow.slice(r.flow.lastIndexOf('.') + 1)] : [];
    this.opts.log?.({
      severity: r.level === 'WARN' ? 'WARNING' : r.level, message: r.message,
      ...(namespace ? { namespace, flowId } : {}), ...(r.trigger ? { trigger: r.trigger } : {}), ...(r.executionId ? { executionId: r.executionId } : {}),
      ...(r.error ? { code: r.error.code } : {}),
    });
  }

  private log(severity: string, message: string): void {
    this.opts.log?.({ severity, message });
  }
}
