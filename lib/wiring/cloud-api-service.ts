// The API service of the cloud `api` function: the shared service over ports (lib/api/port-service.ts)
// with the GCP adapters, and runtime actions that only append events. Nothing here folds an execution:
// each appended event wakes the executor through its Firestore trigger.
import { createApiService } from '../api/port-service';
import type { ApiService } from '../api/service';
import { checkSyntax, referencedPaths } from '../expr';
import { replay as replayExecution } from '../engine';
import { AloftError, ErrorCode } from '../model/errors';
import type { Execution } from '../model/execution';
import type { Flow } from '../model/flow';
import type { PluginCatalog } from '../plugins/catalog';
import type { BlobStore, Clock, FlowDependencyStore, FlowRepository, Ids, KeyValueStore, LogStore, StateStore } from '../ports';
import type { Renderer } from '../triggers/render';
import { parseFlowWithTriggers } from '../triggers/validate';
import { appendEvent } from '../runtime/core/effects';
import { pending } from '../runtime/core/events';
import type { FlowCache } from '../runtime/core/flow-cache';
import { startExecution, type StartDeps, type StartRequest } from '../runtime/core/start-execution';

export interface CloudApiDeps {
  store: StateStore;
  flowRepo: FlowRepository;
  flowDependencies: FlowDependencyStore;
  flows: FlowCache;
  logs: LogStore;
  blobs: BlobStore;
  kv?: KeyValueStore;
  clock: Clock;
  ids: Ids;
  catalog: PluginCatalog;
  renderer: Renderer;
  /** A flow was saved or deleted (the trigger registry reads the flows again). */
  flowsChanged?(flow: Flow): void;
}

const EXPRESSIONS = { referencedPaths, checkSyntax };

/** Starts, kills, restarts, resumes and replays executions by appending events; the executor does the rest. */
export function cloudActions(deps: Pick<CloudApiDeps, 'store' | 'flows' | 'blobs' | 'clock' | 'ids'>) {
  const start: StartDeps = { store: deps.store, blobs: deps.blobs, clock: deps.clock, ids: deps.ids, wake: () => undefined };
  const append = (executionId: string, event: Parameters<typeof appendEvent>[2]) => appendEvent(start, executionId, event).then(() => undefined);
  return {
    start: (req: StartRequest): Promise<Execution> => startExecution(start, req),
    kill: (id: string) => append(id, { type: 'Kill' }),
    restart: (id: string) => append(id, { type: 'Restart' }),
    resume: (id: string, inputs: Record<string, unknown>) => append(id, { type: 'Resume', ...(Object.keys(inputs).length ? { inputs } : {}) }),
    async replay(executionId: string, taskRunId?: string): Promise<Execution> {
      const source = await deps.store.get(executionId);
      if (!source) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
      const flow = await deps.flows.get(source.namespace, source.flowId, source.flowRevision);
      const from = taskRunId ?? source.taskRunList.find((r) => r.parentTaskRunId === undefined)?.id;
      if (!from) return startExecution(start, { flow, inputs: source.inputs, labels: source.labels, originalId: source.id });
      const now = deps.clock.now();
      const execution = replayExecution(source, flow, from, deps.ids.next(), now, deps.ids);
      await deps.store.create(execution, pending({ type: 'ExecutionCreated' }, now, () => deps.ids.next()));
      return execution;
    },
  };
}

export function createCloudApiService(deps: CloudApiDeps): ApiService {
  const actions = cloudActions(deps);
  return createApiService({
    flows: deps.flowRepo, executions: deps.store, logs: deps.logs, blobs: deps.blobs, kv: deps.kv, clock: deps.clock, ids: deps.ids,
    catalog: deps.catalog, renderer: deps.renderer, dependencies: deps.flowDependencies,
    parse: (source) => parseFlowWithTriggers(source, { catalog: deps.catalog, expressions: EXPRESSIONS }),
    ...actions,
    onFlowSaved: (flow) => deps.flowsChanged?.(flow),
    onFlowDeleted: (flow) => deps.flowsChanged?.(flow),
  });
}
