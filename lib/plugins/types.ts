// The shape of a runnable task type and the context its `run` receives.
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { PluginGroup, TaskStatus } from '../model/catalog';
import type { KeyValueStore } from '../ports/key-value-store';
import type { ExecutionFilter } from '../ports/state-store';
import type { LogFilter, LogLine } from '../ports/log-store';

export type LogLevel = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface TaskLogger {
  log(level: LogLevel, message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface TaskStorage {
  /** Stores a file of this task run; returns its kestra:/// URI. */
  put(fileName: string, data: Readable | Buffer | string): Promise<{ uri: string; size: number }>;
  /** Reads a file this execution may read (its own, or its trigger's/parent's). */
  get(uri: string): Promise<Readable>;
  /** Streams a JSON Lines row file, one parsed object per line. */
  readRows(uri: string): AsyncIterable<Record<string, unknown>>;
  /** Writes rows as a JSON Lines file of this task run; returns its URI and the row count. */
  writeRows(fileName: string, rows: AsyncIterable<unknown> | Iterable<unknown>): Promise<{ uri: string; size: number; rows: number }>;
  /** The files below a folder this execution may read (a URI without a trailing slash), in no set order. */
  list(folderUri: string): Promise<Array<{ uri: string; size: number }>>;
  /** The size in bytes of a file this execution may read; STORAGE_NOT_FOUND when absent. */
  size(uri: string): Promise<number>;
  /** Deletes a file of this execution; false when there was none. Files of other executions are refused. */
  delete(uri: string): Promise<boolean>;
  /** Deletes every file of this execution (inputs and task files); returns their URIs. */
  deleteExecutionFiles(): Promise<string[]>;
  /** A file of the flow's state store (kept across executions, as Kestra's state store); undefined when absent. */
  getState(name: string, file: string): Promise<string | undefined>;
  /** Writes a file of the flow's state store; returns its URI. */
  putState(name: string, file: string, content: string): Promise<string>;
}

/** The files of the execution's own namespace (tasks cannot reach another namespace's). */
export interface TaskNamespaceFiles {
  readonly namespace: string;
  /** Every file, sorted by path (relative: `scripts/etl.py`). */
  list(): Promise<Array<{ path: string; size: number }>>;
  /** STORAGE_NOT_FOUND when absent, STORAGE_FORBIDDEN for a path that leaves the namespace's files. */
  get(path: string): Promise<Readable>;
  /** Stores (or replaces) a file; returns its stored path. */
  put(path: string, data: Readable | Buffer | string): Promise<{ path: string; size: number }>;
  /** False when there was no such file. */
  delete(path: string): Promise<boolean>;
}

export interface TaskMetrics {
  counter(name: string, value: number): void;
  timer(name: string, ms: number): void;
}

/** What execution.Count filters on: a search's fields, without its paging. */
export type ExecutionCountFilter = Pick<ExecutionFilter, 'namespace' | 'flowId' | 'states' | 'from' | 'to'>;

export interface TaskContext {
  /** Renders a value (string, list or map) with the task run's variables. */
  render<T = unknown>(value: unknown, extraVars?: Record<string, unknown>): Promise<T>;
  storage: TaskStorage;
  readonly namespaceFiles: TaskNamespaceFiles;
  logger: TaskLogger;
  secret(name: string): Promise<string>;
  /** The namespaces' key-value store; NOT_SUPPORTED when the runtime has none. */
  kv(): KeyValueStore;
  /**
   * The stored log lines of an execution of this execution's own namespace (log.Fetch); another
   * namespace's are FORBIDDEN. Absent where no log store is reachable (a trigger's poll).
   */
  executionLogs?(executionId: string, filter?: LogFilter): Promise<LogLine[]>;
  /** How many executions match (execution.Count); absent where no execution store is reachable (a trigger's poll). */
  countExecutions?(filter: ExecutionCountFilter): Promise<number>;
  /** Aborted on kill or timeout. */
  signal: AbortSignal;
  /** When the current invocation must stop (timeout or the function's own limit). */
  deadline: Date;
  metrics: TaskMetrics;
  now(): Date;
  /** A private scratch folder for this attempt, removed afterwards. */
  tempDir(): Promise<string>;
  /**
   * A folder kept across tasks and executions, for caches that can be rebuilt (Singer's virtualenvs):
   * the data directory's `cache/` on the embedded runtime, the instance's temp folder in the cloud.
   * Absent where the runtime keeps none; callers then work without a cache.
   */
  readonly cacheRoot?: string;
  readonly execution: { id: string; namespace: string; flowId: string };
  readonly taskRun: { id: string; taskId: string; value?: string; attempt: number };
  /** Environment visible to tasks (the runtime's, injected). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** What a resumable task returns to ask to be called again later with `continuation`. */
export interface Suspend {
  suspend: true;
  continuation: unknown;
}

export interface RunnableTaskDefinition<P = any, O = any> {
  /** The canonical Kestra 0.x type name. */
  type: string;
  /** Other names that resolve to this type (later Kestra versions). */
  aliases: readonly string[];
  group: PluginGroup;
  /** Absent means it runs; TaskStatus.validatesOnly for a placeholder whose run fails with NOT_IMPLEMENTED. */
  status?: TaskStatus;
  /** Made by the engine for another task (see TaskTypeInfo.internal); a flow cannot name it. */
  internal?: true;
  /** The task's own properties (not id/type/retry/timeout). Validated after rendering. */
  properties: z.ZodType<P>;
  outputs: z.ZodType<O>;
  /**
   * The task changes nothing outside Aloft's own stores (it only computes its outputs), so running an
   * attempt of it again after a crash is harmless: the embedded worker then need not wait for its claim
   * to be durable before running it. Absent means it may (a script, a query, a request).
   */
  pure?: true;
  /**
   * Properties not rendered before `run` (the task renders them itself, e.g. per row).
   * Everything else is rendered recursively; an exact single expression keeps its type.
   */
  lazyProperties?: readonly string[];
  /** A task that ends WARNING instead of SUCCESS sets this on its result. */
  run(ctx: TaskContext, props: P, continuation?: unknown): Promise<O | Suspend | { outputs: O; state: 'WARNING' }>;
}

export const isSuspend = (v: unknown): v is Suspend => !!v && typeof v === 'object' && (v as Suspend).suspend === true;
export const isWarning = (v: unknown): v is { outputs: unknown; state: 'WARNING' } =>
  !!v && typeof v === 'object' && (v as any).state === 'WARNING' && 'outputs' in (v as any);
