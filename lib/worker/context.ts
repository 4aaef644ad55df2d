// The context a task's `run` receives. Built for every attempt, so it is cheap: the scratch folder
// is made on first use, logs are batched, and nothing is copied that the task does not ask for.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AloftError, ErrorCode, toErrorData, type ErrorLocation } from '../model/errors';
import { revealSecretValues } from '../model/secret-value';
import { isEmptyRecord } from '../model/inputs';
import type { ExecutionCountFilter, TaskContext, TaskMetrics, TaskNamespaceFiles } from '../plugins/types';
import type { BlobStore } from '../ports/blob-store';
import type { LogFilter, LogLevel, LogLine, LogStore } from '../ports/log-store';
import type { FileStat, FileText } from '../expr';
import type { KeyValueStore } from '../ports/key-value-store';
import type { StateStore } from '../ports/state-store';
import type { Clock, Secrets } from '../ports/system';
import { AttemptLogger, SecretMask } from './logger';
import { mayUseFileFunctions, renderOne, resolveFileStats, resolveKv, resolveReads, resolveSecrets, type KnownKv, type RenderContext } from './render';
import { NamespaceFiles } from './namespace-files';
import { runFolder } from './scratch';
import { ScopedTaskStorage } from './storage';
import type { Env, StdoutLog } from './types';
import { readablePrefixes, withEnvs } from './variables';

export interface TaskContextOptions {
  execution: { id: string; namespace: string; flowId: string };
  taskRun: { id: string; taskId: string; value?: string; attempt: number };
  /** The task run's variables (flow, execution, outputs, inputs, ...); `envs` is added when missing. */
  variables: Record<string, unknown>;
  blobs: BlobStore;
  secrets: Secrets;
  /** The key-value store; absent when the runtime has none (tasks using it then fail clearly). */
  kv?: KeyValueStore;
  clock: Clock;
  env: Env;
  /** Folder for scratch folders, created on first use. */
  tempRoot: string;
  /** Folder for caches kept across attempts (TaskContext.cacheRoot); absent: none. */
  cacheRoot?: string;
  /** The folder shared by the tasks of a WorkingDirectory: tempDir() answers it, and close() leaves it. */
  workingDir?: string;
  logs?: LogStore;
  /** The executions, for execution.Count; absent: it fails with NOT_SUPPORTED. */
  executions?: Pick<StateStore, 'count'>;
  stdoutLog?: StdoutLog;
  /** Default INFO. */
  minLogLevel?: LogLevel;
  /** Aborted on kill or timeout; default: never. */
  signal?: AbortSignal;
  /** Gives the signal when the task first reads it, instead of `signal` (making one costs more than a quick task). */
  signalSource?: { readonly signal: AbortSignal };
  /** Default: none (the far future). */
  deadline?: Date;
  /** What `now()` returns in templates; default: the clock, read once. */
  renderNow?: Date;
  /** Secrets already fetched, name -> value. They are masked in logs like any secret read later. */
  knownSecrets?: Record<string, string>;
  /** Key-value entries already read for kv() (the worker reads those of the task's properties first). */
  knownKv?: KnownKv;
  /** Files already read for read(). */
  knownFiles?: Map<string, FileText>;
  /** Files already looked up for fileSize(), fileExists() and isFileEmpty(). */
  knownFileStats?: Map<string, FileStat>;
  /** The execution's ERROR lines already read for errorLogs(). */
  knownErrorLogs?: readonly Record<string, unknown>[];
  /** Storage prefixes readable besides the execution's own and those its variables name. */
  extraReadablePrefixes?: readonly string[];
  /** Where errors point (flow and task); built from `execution` and `taskRun` when absent. */
  location?: ErrorLocation;
}

/** A TaskContext plus what the worker needs after `run`. */
export interface AttemptTaskContext extends TaskContext {
  readonly logger: AttemptLogger;
  /** What read() reads (the worker reads the files of a task's properties before rendering them). */
  readForTemplate(path: string): Promise<AsyncIterable<Buffer | string>>;
  /** Files read so far for read(); the worker fills it before rendering. */
  readonly knownFiles: Map<string, FileText>;
  /**
   * Looks up what the file functions of a value need (fileSize/fileExists/isFileEmpty, errorLogs())
   * and returns it, for the context that renders the task's properties.
   */
  resolveFileFunctions(value: unknown): Promise<{ fileStats?: Map<string, FileStat>; errorLogs?: readonly Record<string, unknown>[] }>;
  /** Renders synchronously with the secrets known so far (the worker fetched them up front). */
  renderNow(value: unknown, property?: string): unknown;
  /** Masks secret values in a text (error messages leave the worker too). */
  mask(text: string): string;
  /** Masks secret values in every string of a value (outputs leave the worker too); the value itself when none is known. */
  maskValue<T>(value: T): T;
  /** Metrics recorded by the task, or undefined when none were. */
  recordedMetrics(): Record<string, number> | undefined;
  /** Flushes logs and removes the scratch folder; undefined when there is nothing to wait for. */
  close(): Promise<void> | undefined;
}

const NEVER = new AbortController().signal;
const FAR_FUTURE = 8.64e15;

class Metrics implements TaskMetrics {
  values: Record<string, number> | undefined;
  counter(name: string, value: number): void {
    this.add(name, value);
  }
  timer(name: string, ms: number): void {
    this.add(name, ms);
  }
  private add(name: string, value: number): void {
    if (!Number.isFinite(value)) return;
    this.values ??= {};
    this.values[name] = (this.values[name] ?? 0) + value;
  }
}

class AttemptContext implements AttemptTaskContext {
  readonly metrics = new Metrics();
  readonly execution: { id: string; namespace: string; flowId: string };
  readonly taskRun: { id: string; taskId: string; value?: string; attempt: number };
  readonly env: Env;
  readonly cacheRoot: string | undefined;
  private readonly cx: RenderContext;
  private readonly secretValues = new SecretMask();
  private storageView: ScopedTaskStorage | undefined;
  private scratch: Promise<string> | undefined;
  private log: AttemptLogger | undefined;

  constructor(private readonly o: TaskContextOptions) {
    this.execution = o.execution;
    this.taskRun = o.taskRun;
    this.env = o.env;
    this.cacheRoot = o.cacheRoot;
    const known = o.knownSecrets ?? {};
    for (const name in known) this.secretValues.add(known[name]);
    const location: ErrorLocation = o.location ?? { flow: `${o.execution.namespace}.${o.execution.flowId}`, task: o.taskRun.taskId };
    this.cx = {
      vars: withEnvs(this.revealSecretInputs(o.variables), o.env),
      opts: {
        now: o.renderNow ?? o.clock.now(), secrets: known, kv: o.knownKv, files: o.knownFiles,
        fileStats: o.knownFileStats, errorLogs: o.knownErrorLogs, randomBytes,
      },
      location,
    };
  }

  /** SECRET inputs as their clear text for templates, masked like secret() values from now on. */
  private revealSecretInputs(variables: Record<string, unknown>): Record<string, unknown> {
    const inputs = variables.inputs;
    if (!inputs || typeof inputs !== 'object' || isEmptyRecord(inputs)) return variables;
    const revealed = revealSecretValues(inputs, (clear) => this.secretValues.add(clear));
    return revealed === inputs ? variables : { ...variables, inputs: revealed };
  }

  get logger(): AttemptLogger {
    if (!this.log) {
      const { execution: e, taskRun: t } = this.o;
      this.log = new AttemptLogger(
        { executionId: e.id, taskRunId: t.id, taskId: t.taskId, attempt: t.attempt, flowId: e.flowId, namespace: e.namespace },
        this.o.logs, this.o.clock, this.secretValues, this.o.minLogLevel ?? 'INFO', this.o.stdoutLog,
      );
    }
    return this.log;
  }

  get signal(): AbortSignal {
    return this.o.signalSource?.signal ?? this.o.signal ?? NEVER;
  }

  get deadline(): Date {
    return this.o.deadline ?? new Date(FAR_FUTURE);
  }

  get storage(): ScopedTaskStorage {
    if (!this.storageView) {
      const { execution: e, taskRun: t } = this.o;
      const readable = readablePrefixes(e, this.cx.vars);
      if (this.o.extraReadablePrefixes) readable.push(...this.o.extraReadablePrefixes);
      this.storageView = new ScopedTaskStorage(
        this.o.blobs,
        { namespace: e.namespace, flowId: e.flowId, executionId: e.id, taskId: t.taskId, taskRunId: t.id },
        readable,
      );
    }
    return this.storageView;
  }

  get knownFiles(): Map<string, FileText> {
    return (this.cx.opts.files ??= new Map());
  }

  get namespaceFiles(): TaskNamespaceFiles {
    const files = new NamespaceFiles(this.o.blobs);
    const ns = this.execution.namespace;
    return {
      namespace: ns,
      list: () => files.list(ns), get: (path) => files.get(ns, path),
      put: (path, data) => files.put(ns, path, data), delete: (path) => files.delete(ns, path),
    };
  }

  async render<T = unknown>(value: unknown, extraVars?: Record<string, unknown>): Promise<T> {
    await resolveSecrets(value, this.o.secrets, this.cx.opts.secrets);
    await resolveKv(value, this.o.kv, this.o.clock.now(), (this.cx.opts.kv ??= { namespace: this.execution.namespace, entries: new Map() }));
    await resolveReads(value, (path) => this.readForTemplate(path), (this.cx.opts.files ??= new Map()));
    if (mayUseFileFunctions(value)) await this.resolveFileFunctions(value);
    this.maskKnown();
    const cx = extraVars ? { ...this.cx, vars: { ...this.cx.vars, ...extraVars } } : this.cx;
    return renderOne(value, cx) as T;
  }

  /** What read() reads: a kestra:// file this execution may read, else a file of its own namespace. */
  readForTemplate(path: string): Promise<AsyncIterable<Buffer | string>> {
    return path.startsWith('kestra://') ? this.storage.get(path) : this.namespaceFiles.get(path);
  }

  async resolveFileFunctions(value: unknown): Promise<{ fileStats?: Map<string, FileStat>; errorLogs?: readonly Record<string, unknown>[] }> {
    const opts = this.cx.opts;
    if (opts.errorLogs === undefined && JSON.stringify(value).includes('errorLogs(') && this.o.logs) {
      const lines = await this.o.logs.list(this.execution.id, { minLevel: 'ERROR' });
      // Kestra's LogEntry fields; another namespace's line cannot be in this execution's logs.
      opts.errorLogs = lines.map((l) => ({
        namespace: l.namespace, flowId: l.flowId, executionId: l.executionId, taskId: l.taskId ?? null, taskRunId: l.taskRunId ?? null,
        attemptNumber: l.attempt ?? null, timestamp: l.timestamp, level: l.level, message: l.message,
      }));
    }
    await resolveFileStats(value, this.cx, (path) => this.statForTemplate(path), (opts.fileStats ??= new Map()));
    return { fileStats: opts.fileStats, errorLogs: opts.errorLogs };
  }

  /** What fileSize()/fileExists()/isFileEmpty() see: a kestra:// file this execution may read, else a file of its namespace. */
  private async statForTemplate(path: string): Promise<FileStat> {
    try {
      if (path.startsWith('kestra://')) return { size: await this.storage.size(path) };
      return { size: await new NamespaceFiles(this.o.blobs).size(this.execution.namespace, path) };
    } catch (err) {
      const data = toErrorData(err);
      return data.code === ErrorCode.STORAGE_NOT_FOUND ? { missing: data.message } : { error: data.message };
    }
  }

  renderNow(value: unknown, property?: string): unknown {
    return renderOne(value, this.cx, property);
  }

  async secret(name: string): Promise<string> {
    let value: string | undefined = this.cx.opts.secrets[name];
    if (value === undefined) {
      value = await this.o.secrets.get(name);
      if (value === undefined) throw new AloftError(ErrorCode.NOT_FOUND, `secret '${name}' does not exist`, this.cx.location);
      this.cx.opts.secrets[name] = value;
    }
    this.secretValues.add(value);
    return value;
  }

  kv(): KeyValueStore {
    if (!this.o.kv) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'this runtime has no key-value store', this.cx.location);
    return this.o.kv;
  }

  async executionLogs(executionId: string, filter?: LogFilter): Promise<LogLine[]> {
    if (!this.o.logs) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'this runtime keeps no logs a task can read', this.cx.location);
    const lines = await this.o.logs.list(executionId, filter);
    // Logs are held to the namespace, as files are: another namespace's execution is refused, not shown.
    if (lines.some((l) => l.namespace !== this.execution.namespace)) {
      throw new AloftError(ErrorCode.FORBIDDEN, `execution ${executionId} is not of namespace ${this.execution.namespace}: its logs cannot be read here`, this.cx.location);
    }
    return lines;
  }

  countExecutions(filter: ExecutionCountFilter): Promise<number> {
    if (!this.o.executions) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'this runtime keeps no executions a task can count', this.cx.location);
    return this.o.executions.count(filter);
  }

  now(): Date {
    return this.o.clock.now();
  }

  tempDir(): Promise<string> {
    if (this.o.workingDir !== undefined) return Promise.resolve(this.o.workingDir);
    this.scratch ??= runFolder(this.o.tempRoot).then((run) =>
      mkdtemp(join(run, `${this.o.taskRun.taskId.replace(/[^A-Za-z0-9_-]/g, '_')}-`)));
    return this.scratch;
  }

  mask(text: string): string {
    return this.secretValues.empty ? text : this.secretValues.apply(text);
  }

  maskValue<T>(value: T): T {
    this.maskKnown();
    return this.secretValues.empty ? value : (maskStrings(value, this.secretValues) as T);
  }

  recordedMetrics(): Record<string, number> | undefined {
    return this.metrics.values;
  }

  close(): Promise<void> | undefined {
    const logs = this.log?.close();
    const scratch = this.scratch;
    if (!logs && !scratch) return undefined;
    return Promise.all([
      logs,
      scratch?.then((dir) => rm(dir, { recursive: true, force: true }), () => undefined),
    ]).then(() => undefined);
  }

  private maskKnown(): void {
    for (const name in this.cx.opts.secrets) this.secretValues.add(this.cx.opts.secrets[name]);
  }
}

/** A copy of a value with secrets masked in its strings (keys included: Each outputs are keyed by value). */
function maskStrings(value: unknown, mask: SecretMask): unknown {
  if (typeof value === 'string') return mask.apply(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, mask));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask.apply(k), maskStrings(v, mask)]));
}

/**
 * Builds the context a task's `run` receives. The worker uses it for every attempt; plugin tests
 * use it (or `fakeTaskContext` in ./testing) to run a task against a real folder BlobStore.
 */
export function createTaskContext(opts: TaskContextOptions): AttemptTaskContext {
  return new AttemptContext(opts);
}
