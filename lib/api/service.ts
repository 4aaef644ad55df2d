// What the HTTP API needs from a runtime. The local server implements it over the embedded runtime
// (createApiService in ./port-service.ts over LocalRuntime); the cloud `api` function over the GCP adapters.
import type { Readable } from 'node:stream';
import type { Diagnostic } from '../model/flow-diagnostics';
import type { Execution } from '../model/execution';
import type { NamespaceFiles } from '../worker/namespace-files';
import type { KvService } from './kv-service';
import type { LogFilter, LogLine } from '../ports/log-store';
import type { ExecutionFilter, ExecutionPage } from '../ports/state-store';
import type { StoredFlow } from '../ports/flow-repository';
import type { WebhookOutcome, WebhookRequest } from '../triggers/webhook';

export interface SavedFlow extends StoredFlow {
  warnings: Diagnostic[];
}

export interface Validation {
  valid: boolean;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export const DependencyRelation = { FLOW_TASK: 'FLOW_TASK', FLOW_TRIGGER: 'FLOW_TRIGGER' } as const;
export type DependencyRelation = (typeof DependencyRelation)[keyof typeof DependencyRelation];

/** Kestra's flow topology: an edge from the flow that runs first to the flow that depends on it. */
export interface FlowDependencies {
  nodes: Array<{ uid: string; namespace: string; id: string }>;
  edges: Array<{ source: string; target: string; relation: DependencyRelation }>;
}

export interface UploadedFile {
  fileName: string;
  data: Buffer | Readable;
}

export interface StartRequestBody {
  inputs: Record<string, unknown>;
  files: Record<string, UploadedFile>;
  labels: Record<string, string>;
}

export interface Download {
  stream: Readable;
  fileName: string;
  size?: number;
}

export interface FlowService {
  /** Creates the flow or saves a new revision; FLOW_INVALID with every diagnostic. `expected` pins namespace and id (PUT). */
  save(source: string, expected?: { namespace: string; id: string }): Promise<SavedFlow>;
  validate(source: string): Promise<Validation>;
  get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null>;
  list(filter: { namespace?: string }): Promise<StoredFlow[]>;
  /** NOT_FOUND when absent; `destinationOnly`: only the edges into it; `expandAll`: every edge reachable from it. */
  dependencies(namespace: string, id: string, query?: { destinationOnly?: boolean; expandAll?: boolean }): Promise<FlowDependencies>;
  /** The edges of the flows of one namespace. */
  namespaceDependencies(namespace: string, query?: { destinationOnly?: boolean; expandAll?: boolean }): Promise<FlowDependencies>;
  /** The flows that call it or listen to it, which deleting it would break (`namespace.id`, sorted). */
  dependents(namespace: string, id: string): Promise<string[]>;
  /** NOT_FOUND when absent; CONFLICT (FlowHasDependentsError) while other flows depend on it, unless forced. */
  delete(namespace: string, id: string, opts: { force: boolean }): Promise<void>;
}

export interface ExecutionService {
  start(namespace: string, flowId: string, body: StartRequestBody): Promise<Execution>;
  get(executionId: string): Promise<Execution | null>;
  list(filter: ExecutionFilter): Promise<ExecutionPage>;
  /** How many executions match (page fields ignored). */
  count(filter: ExecutionFilter): Promise<number>;
  /** The page token after the first `n` matches (a page by number), as the store's `tokenAfter`. */
  tokenAfter(filter: ExecutionFilter, n: number): Promise<string | undefined>;
  /**
   * Deletes an ended execution, and by default its logs and its files in internal storage. NOT_FOUND when
   * unknown; CONFLICT while it has not ended (kill it first).
   */
  delete(executionId: string, opts: { logs: boolean; storage: boolean }): Promise<void>;
  kill(executionId: string): Promise<Execution>;
  restart(executionId: string): Promise<Execution>;
  resume(executionId: string, inputs: Record<string, unknown>): Promise<Execution>;
  /** A new execution that runs again from `taskRunId` (from the start without one). */
  replay(executionId: string, taskRunId?: string): Promise<Execution>;
}

export interface ApiService {
  flows: FlowService;
  executions: ExecutionService;
  logs: { list(executionId: string, filter: LogFilter): Promise<LogLine[]> };
  /** A file of the execution; STORAGE_FORBIDDEN for a URI outside it. */
  storage: { download(executionId: string, uri: string): Promise<Download> };
  triggers: { webhook(namespace: string, flowId: string, key: string, req: WebhookRequest): Promise<WebhookOutcome> };
  /** Absent when the runtime has no key-value store (its routes then answer NOT_SUPPORTED). */
  kv?: KvService;
  /** Namespace files in internal storage. */
  namespaceFiles?: NamespaceFiles;
}
