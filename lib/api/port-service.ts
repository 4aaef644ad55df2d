// The API service over ports: flows in a FlowRepository, executions in a StateStore, logs, files,
// and a few runtime actions. The local server passes the embedded runtime's; the cloud can pass its own.
import type { TaskCatalog } from '../model/catalog';
import { AloftError, ErrorCode, DiagnosticsError } from '../model/errors';
import type { Execution } from '../model/execution';
import { flowKey, type Flow } from '../model/flow';
import type { ParseResult } from '../model/flow-parse';
import { isTerminal, State } from '../model/states';
import { assertReadable, executionPrefix, keyToUri, uriToKey } from '../model/storage-uri';
import type { BlobStore, Clock, FlowRepository, Ids, LogStore, StateStore } from '../ports';
import type { StartRequest } from '../runtime/core/start-execution';
import type { Renderer } from '../triggers/render';
import { handleWebhook } from '../triggers/webhook';
import type { KeyValueStore } from '../ports/key-value-store';
import { NamespaceFiles } from '../worker/namespace-files';
import { kvService } from './kv-service';
import { checkResume } from '../engine';
import type { FlowDependencyStore } from '../ports/flow-dependency-store';
import { FlowHasDependentsError, refsOf, type DependencyQuery } from './dependencies';
import { StoredDependencies } from './stored-dependencies';
import type { ApiService, SavedFlow } from './service';

export interface ApiServiceDeps {
  flows: FlowRepository;
  executions: Pick<StateStore, 'get' | 'list' | 'count' | 'tokenAfter' | 'delete'>;
  logs: LogStore;
  blobs: BlobStore;
  /** The namespaces' key-value store, for the /kv routes. */
  kv?: KeyValueStore;
  clock: Clock;
  ids: Ids;
  catalog: TaskCatalog;
  renderer: Renderer;
  /** Parses and validates a flow, triggers included (parseFlowWithTriggers). */
  parse(source: string): ParseResult;
  start(req: StartRequest): Promise<Execution>;
  kill(executionId: string): Promise<void>;
  restart(executionId: string): Promise<void>;
  resume(executionId: string, inputs: Record<string, unknown>): Promise<void>;
  replay(executionId: string, taskRunId?: string): Promise<Execution>;
  /** Called after a flow revision is saved and after a flow is deleted (trigger registries, indexes). */
  onFlowSaved?(flow: Flow): Promise<void> | void;
  onFlowDeleted?(flow: Flow): Promise<void> | void;
  /**
   * Each flow's references, filed here as it is saved and deleted (this service is the path every save
   * takes, on both runtimes), so that a dependency query reads the flows it touches and not every flow.
   */
  dependencies: FlowDependencyStore;
}

/** FLOW_INVALID carrying every diagnostic; the router puts them in the response as `errors`. */
export class FlowValidationError extends DiagnosticsError {
  constructor(diagnostics: ParseResult['warnings']) {
    super(ErrorCode.FLOW_INVALID, diagnostics);
  }
}

/**
 * Stores a parsed flow's new revision and files its references: the API's save and the local server's
 * flows folder both go through here, so the dependency store sees every save.
 */
export async function saveFlow(
  deps: Pick<ApiServiceDeps, 'flows' | 'dependencies' | 'catalog' | 'clock' | 'onFlowSaved'>, flow: Flow, source: string, warnings: ParseResult['warnings'],
): Promise<SavedFlow> {
  const stored = await deps.flows.save(flow, source, deps.clock.now());
  await deps.dependencies.save(refsOf(stored.flow, deps.catalog));
  await deps.onFlowSaved?.({ ...stored.flow, revision: stored.revision });
  return { ...stored, warnings };
}

export function createApiService(deps: ApiServiceDeps): ApiService {
  const graph = new StoredDependencies(deps.dependencies);
  const mustExist = async (namespace: string, id: string): Promise<void> => {
    if (!(await deps.flows.get(namespace, id))) throw new AloftError(ErrorCode.NOT_FOUND, `flow ${flowKey(namespace, id)} not found`);
  };
  const execution = async (id: string): Promise<Execution> => {
    const e = await deps.executions.get(id);
    if (!e) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${id} not found`);
    return e;
  };

  return {
    flows: {
      async save(source, expected) {
        const parsed = deps.parse(source);
        if (!parsed.ok) throw new FlowValidationError(parsed.errors);
        const { flow } = parsed;
        if (expected && (flow.namespace !== expected.namespace || flow.id !== expected.id)) {
          throw new AloftError(ErrorCode.FLOW_INVALID, `the flow in the body is ${flowKey(flow.namespace, flow.id)}, the URL names ${flowKey(expected.namespace, expected.id)}`, { flow: flowKey(flow.namespace, flow.id) });
        }
        return saveFlow(deps, flow, source, parsed.warnings);
      },
      async validate(source) {
        const parsed = deps.parse(source);
        return { valid: parsed.ok, errors: parsed.ok ? [] : parsed.errors, warnings: parsed.warnings };
      },
      get: (namespace, id, revision) => deps.flows.get(namespace, id, revision),
      list: (filter) => deps.flows.list(filter),
      async dependencies(namespace, id, query: DependencyQuery = {}) {
        await mustExist(namespace, id);
        return graph.dependencies(namespace, id, query);
      },
      async namespaceDependencies(namespace, query: DependencyQuery = {}) {
        return graph.namespaceDependencies(namespace, query);
      },
      async dependents(namespace, id) {
        await mustExist(namespace, id);
        return graph.dependents(namespace, id);
      },
      async delete(namespace, id, { force }) {
        const stored = await deps.flows.get(namespace, id);
        if (!stored) throw new AloftError(ErrorCode.NOT_FOUND, `flow ${flowKey(namespace, id)} not found`);
        const dependents = await graph.dependents(namespace, id);
        if (dependents.length > 0 && !force) throw new FlowHasDependentsError(flowKey(namespace, id), dependents);
        await deps.flows.delete(namespace, id);
        await deps.dependencies.remove(namespace, id);
        await deps.onFlowDeleted?.({ ...stored.flow, revision: stored.revision });
      },
    },

    executions: {
      async start(namespace, flowId, body) {
        const stored = await deps.flows.get(namespace, flowId);
        if (!stored) throw new AloftError(ErrorCode.NOT_FOUND, `flow ${flowKey(namespace, flowId)} not found`);
        if (stored.flow.disabled) throw new AloftError(ErrorCode.CONFLICT, `flow ${flowKey(namespace, flowId)} is disabled`, { flow: flowKey(namespace, flowId) });
        // A person starts it: the flow's checks apply.
        return deps.start({ flow: { ...stored.flow, revision: stored.revision }, inputs: body.inputs, files: body.files, labels: body.labels, checks: true });
      },
      get: (id) => deps.executions.get(id),
      list: (filter) => deps.executions.list(filter),
      count: (filter) => deps.executions.count(filter),
      tokenAfter: (filter, n) => deps.executions.tokenAfter(filter, n),
      async delete(id, opts) {
        const e = await execution(id);
        // The execution first: its store refuses one that has not ended, before anything else is gone.
        if (!(await deps.executions.delete(id))) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${id} not found`);
        if (opts.logs) await deps.logs.delete(id);
        if (opts.storage) {
          for (const file of await deps.blobs.list(keyToUri(executionPrefix(e.namespace, e.flowId, e.id)))) await deps.blobs.delete(file.uri);
        }
      },
      async kill(id) {
        const e = await execution(id);
        if (isTerminal(e.state.current)) throw new AloftError(ErrorCode.CONFLICT, `execution ${id} already ended ${e.state.current}`);
        await deps.kill(id);
        return execution(id);
      },
      async restart(id) {
        const e = await execution(id);
        if (e.state.current !== State.FAILED && e.state.current !== State.KILLED) {
          throw new AloftError(ErrorCode.CONFLICT, `execution ${id} is ${e.state.current}; only FAILED or KILLED executions restart`);
        }
        await deps.restart(id);
        return execution(id);
      },
      async resume(id, inputs) {
        const e = await execution(id);
        if (e.state.current !== State.PAUSED) throw new AloftError(ErrorCode.CONFLICT, `execution ${id} is ${e.state.current}, not PAUSED`);
        // A Pause's typed onResume inputs: refuse bad values here, with their reason (the engine would ignore them).
        const stored = await deps.flows.get(e.namespace, e.flowId, e.flowRevision);
        if (stored) {
          const checked = checkResume(e, stored.flow, inputs);
          if (!checked.ok) {
            throw new AloftError(ErrorCode.INPUT_INVALID, checked.message, { flow: flowKey(e.namespace, e.flowId), ...(checked.task ? { task: checked.task } : {}), property: checked.property });
          }
        }
        await deps.resume(id, inputs);
        return execution(id);
      },
      async replay(id, taskRunId) {
        const e = await execution(id);
        if (!isTerminal(e.state.current)) throw new AloftError(ErrorCode.CONFLICT, `execution ${id} is still ${e.state.current}; replay it once it ended`);
        if (taskRunId !== undefined && !e.taskRunList.some((r) => r.id === taskRunId)) {
          throw new AloftError(ErrorCode.NOT_FOUND, `task run ${taskRunId} is not in execution ${id}`);
        }
        return deps.replay(id, taskRunId);
      },
    },

    logs: {
      async list(executionId, filter) {
        await execution(executionId);
        return deps.logs.list(executionId, filter);
      },
    },

    storage: {
      async download(executionId, uri) {
        const e = await execution(executionId);
        const key = uriToKey(uri);
        assertReadable(key, [executionPrefix(e.namespace, e.flowId, e.id)]);
        const stream = await deps.blobs.get(uri);
        return { stream, fileName: key.split('/').pop() ?? 'file' };
      },
    },

    kv: deps.kv ? kvService(deps.kv, deps.clock) : undefined,
    namespaceFiles: new NamespaceFiles(deps.blobs),

    triggers: {
      webhook: (namespace, flowId, key, req) => handleWebhook({
        findFlow: async (ns, id) => {
          const s = await deps.flows.get(ns, id);
          return s ? { ...s.flow, revision: s.revision } : null;
        },
        start: (r) => deps.start({ flow: r.flow, id: r.id, inputs: r.inputs, trigger: r.trigger }),
        renderer: deps.renderer,
        newId: () => deps.ids.next(),
      }, namespace, flowId, key, req),
    },
  };
}
