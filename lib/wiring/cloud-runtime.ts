// The cloud runtime: one object whose methods are the handlers functions/ registers. Building it does
// nothing; the env is parsed and the clients are opened on the first invocation (CloudDeps).
import type { ServerResponse } from 'node:http';
import { createApiHandler, type ApiHandler } from '../api/router';
import { defaultUiDir } from '../api/ui-static';
import type { ApiRequest } from '../api/http';
import { HTTP_STATUS } from '../model/errors';
import type { PluginGroup } from '../model/catalog';
import { createCloudApiService } from './cloud-api-service';
import { CloudDeps, type CloudDepsOptions } from '../runtime/cloud/deps';
import { handleExecutorEvent, type ExecutorOutcome } from '../runtime/cloud/executor';
import { schedulerTick, type SchedulerReport } from '../runtime/cloud/scheduler';
import { handlePubSubTriggerEvent, type PubSubTriggerOutcome } from '../runtime/cloud/triggers';
import { handleWorkerEvent, type WorkerStatus } from '../runtime/cloud/worker';

export type CloudRuntimeOptions = CloudDepsOptions;

export class CloudRuntime {
  readonly deps: CloudDeps;
  private apiHandler?: ApiHandler;
  /** Invocations still running: close() waits for them before it closes the clients they use. */
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing?: Promise<void>;

  constructor(opts: CloudRuntimeOptions) {
    this.deps = new CloudDeps(opts);
  }

  /** `executor`: a Firestore `document.v1.created` (or `.written`) CloudEvent on an inbox document. */
  executor(event: unknown): Promise<ExecutorOutcome> {
    return this.observed('executor', () => handleExecutorEvent(this.deps.executor, event));
  }

  /** `worker-<group>`: a Pub/Sub `messagePublished` CloudEvent carrying a worker task. */
  worker(group: PluginGroup, event: unknown): Promise<WorkerStatus> {
    return this.observed(`worker-${group}`, () => handleWorkerEvent(this.deps.worker, group, event));
  }

  /** `pubsubTrigger`: a message on a user topic. */
  pubsubTrigger(event: unknown): Promise<PubSubTriggerOutcome> {
    return this.observed('pubsub-trigger', () =>
      handlePubSubTriggerEvent(this.deps.triggers, this.deps.registry, (letter) => this.deps.adapters.deadLetter(letter), event));
  }

  /** One scheduler pass, as the `scheduler` function runs it. */
  tick(now: Date = this.deps.clock.now()): Promise<SchedulerReport> {
    return this.observed('scheduler', () => schedulerTick(this.deps.scheduler, now));
  }

  private observed<T>(fn: string, run: () => Promise<T>): Promise<T> {
    return this.track(this.observe(fn, run));
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight.add(p);
    const done = (): void => { this.inFlight.delete(p); };
    p.then(done, done);
    return p;
  }

  private async observe<T>(fn: string, run: () => Promise<T>): Promise<T> {
    const observe = this.deps.onHandled;
    if (!observe) return run();
    const t0 = performance.now();
    try {
      const outcome = await run();
      observe({ fn, ms: performance.now() - t0, outcome });
      return outcome;
    } catch (error) {
      observe({ fn, ms: performance.now() - t0, error });
      throw error;
    }
  }

  /** `scheduler` (HTTP, from Cloud Scheduler): answers with the pass's report. */
  async scheduler(_req: ApiRequest, res: ServerResponse): Promise<void> {
    try {
      const report = await this.tick();
      json(res, report.errors.length > 0 ? 500 : 200, report);
    } catch (err) {
      const e = this.deps.log.child('scheduler').error('scheduler: the pass failed', err);
      json(res, HTTP_STATUS[e.code], e);
    }
  }

  /** `api` (HTTP): the shared router over the cloud service. */
  async api(req: ApiRequest, res: ServerResponse): Promise<void> {
    let handler: ApiHandler;
    try {
      handler = this.apiHandler ??= this.createApi();
    } catch (err) {
      // A configuration error: every request would fail the same way, so say why.
      const e = this.deps.log.child('api').error('api: the function is not configured', err);
      return json(res, HTTP_STATUS[e.code], e);
    }
    return this.track(handler(req, res));
  }

  /**
   * Closes the clients once no invocation uses them. An invocation can outlive its request (the HTTP
   * server that served it was closed, its caller gave up): closing under it made its next Firestore
   * query reject inside the client library, where nobody could catch it, and ended the process
   * (a 400-execution chaos run, as the emulated cloud stopped). Attempts that in-process workers are
   * running are abandoned first, as at a crash: they report nothing and are found lost.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.deps.abandonAttempts();
      while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
      await this.deps.close();
    })();
    return this.closing;
  }

  private createApi(): ApiHandler {
    const d = this.deps;
    const a = d.adapters;
    const log = d.log.child('api');
    const service = createCloudApiService({
      store: a.store, flowRepo: a.flowRepo, flowDependencies: a.flowDependencies, flows: d.flows, logs: a.logs, blobs: a.blobs, kv: a.kv, clock: d.clock, ids: d.ids,
      catalog: d.catalog, renderer: d.renderer, flowsChanged: () => d.registry.invalidate(),
    });
    return createApiHandler({
      service,
      // The web UI, behind the same authentication as the API (the function's IAM invoker check).
      uiDir: defaultUiDir(),
      onError: (err, r) => log.error(`api: ${r.method} ${r.url} failed`, err),
      onRequest: (r) => log.info(`api: ${r.method} ${r.route} ${r.status} ${r.durationMs} ms`, {}, { httpRequest: r }),
    });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
