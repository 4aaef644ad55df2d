// Runs one attempt of one task run: render, validate, run the plugin under its timeout and kill
// signal, validate the outputs and turn whatever happened into a WorkerResult. Never throws for
// anything a task or its user did; users see an error code and message, never a stack trace.
// This is the embedded runtime's hot path: no scratch folder, timer or extra await unless needed.
import { AloftError, ErrorCode, toErrorData, type AloftErrorData, type ErrorLocation } from '../model/errors';
import { formatDurationMs } from '../model/duration';
import { MAX_NESTING, valueDepth } from '../model/json-bounds';
import type { State } from '../model/states';
import type { WorkerResult, WorkerTask } from '../model/worker-messages';
import { isSuspend, isWarning, type RunnableTaskDefinition } from '../plugins/types';
import { createTaskContext, type AttemptTaskContext } from './context';
import { parseLevel } from './logger';
import { lookupsIn, ownProperties, renderProperties, resolveKv, resolveReads, resolveSecrets, type KnownKv } from './render';
import { AttemptStop, untilStopped } from './stop';
import type { AttemptOutcome, RunAttemptOptions, WorkerDeps } from './types';
import { identityOf, type ExecutionIdentity } from './variables';
import { isoOf } from './iso';
import { loadVariables } from './variables-uri';
import type { FileStat, FileText } from '../expr';

/** Outputs travel in messages and documents; larger values belong in internal storage. */
const MAX_OUTPUTS_BYTES = 200 * 1024;

interface Extra {
  outputs?: Record<string, unknown>;
  error?: AloftErrorData;
  metrics?: Record<string, number>;
}

export function runAttempt(task: WorkerTask, deps: WorkerDeps, opts: RunAttemptOptions): Promise<AttemptOutcome> {
  const attempt = new Attempt(task, deps, opts);
  // Variables in storage and secrets are fetched first; the usual attempt needs neither and runs as
  // one promise chain (an async function per attempt costs more than a quick task).
  const lookups = lookupsIn(task.task);
  return task.variablesUri || lookups.secrets || lookups.kv || lookups.read || lookups.files ? attempt.fetchThenRun() : attempt.run();
}

/** One attempt's state, from start to outcome. */
class Attempt {
  private readonly start: Date;
  private readonly startedAt: string;
  private variables: Record<string, unknown>;
  private who!: ExecutionIdentity;
  private location: ErrorLocation = {};
  private def: RunnableTaskDefinition | undefined;
  private stop: AttemptStop | undefined;
  private readonly knownSecrets: Record<string, string> = {};
  private knownKv: KnownKv | undefined;
  private knownFiles: Map<string, FileText> | undefined;
  private knownFileStats: Map<string, FileStat> | undefined;
  private knownErrorLogs: readonly Record<string, unknown>[] | undefined;
  private ctx: AttemptTaskContext | undefined;

  constructor(private readonly task: WorkerTask, private readonly deps: WorkerDeps, private readonly opts: RunAttemptOptions) {
    this.start = deps.clock.now();
    this.startedAt = isoOf(this.start);
    this.variables = task.variables;
  }

  run(): Promise<AttemptOutcome> {
    const unknown = this.begin();
    return unknown ? Promise.resolve(unknown) : this.launch();
  }

  async fetchThenRun(): Promise<AttemptOutcome> {
    if (this.task.variablesUri) {
      try {
        this.variables = await loadVariables(this.deps.blobs, this.task.variablesUri);
      } catch (err) {
        return this.done('FAILED', { error: { task: this.task.taskId, ...toErrorData(err, ErrorCode.INFRA_RETRYABLE) } });
      }
    }
    const unknown = this.begin();
    if (unknown) return unknown;
    const lookups = lookupsIn(this.task.task);
    try {
      if (lookups.secrets) await resolveSecrets(ownProperties(this.task.task), this.deps.secrets, this.knownSecrets);
      if (lookups.kv) {
        this.knownKv = { namespace: this.who.namespace, entries: new Map() };
        await resolveKv(ownProperties(this.task.task), this.deps.kv, this.start, this.knownKv);
      }
      if (lookups.read) {
        // A context of its own only to read with the execution's storage rules; nothing else is used.
        this.knownFiles = new Map();
        const reader = this.context(undefined);
        await resolveReads(ownProperties(this.task.task), (path) => reader.readForTemplate(path), this.knownFiles, this.variables);
      }
      if (lookups.files) {
        const found = await this.context(undefined).resolveFileFunctions(ownProperties(this.task.task));
        this.knownFileStats = found.fileStats;
        this.knownErrorLogs = found.errorLogs;
      }
    } catch (err) {
      return this.end(this.failure(err));
    }
    return this.launch();
  }

  /** Who runs what, and the stop; an outcome already when the task type is unknown. */
  private begin(): AttemptOutcome | undefined {
    const who = (this.who = identityOf(this.task.executionId, this.variables));
    this.location = { flow: `${who.namespace}.${who.flowId}`, task: this.task.taskId };
    this.def = this.deps.catalog.runnable(this.task.type);
    if (!this.def) {
      return this.done('FAILED', {
        error: { code: ErrorCode.FLOW_INVALID, message: `unknown task type '${this.task.type}'`, ...this.location, property: 'type' },
      });
    }
    this.stop = new AttemptStop(this.opts.kill ?? this.opts.signal, this.task.timeoutMs);
    return undefined;
  }

  private context(deadline: Date | undefined): AttemptTaskContext {
    const { task, deps } = this;
    return createTaskContext({
      execution: this.who,
      taskRun: { id: task.taskRunId, taskId: task.taskId, value: taskRunValue(this.variables), attempt: task.attempt },
      variables: this.variables, blobs: deps.blobs, secrets: deps.secrets, kv: deps.kv, knownKv: this.knownKv, knownFiles: this.knownFiles,
      knownFileStats: this.knownFileStats, knownErrorLogs: this.knownErrorLogs,
      clock: deps.clock, env: deps.env, tempRoot: deps.tempRoot, cacheRoot: deps.cacheRoot, workingDir: this.opts.workingDir,
      logs: deps.logs, executions: deps.executions, stdoutLog: deps.stdoutLog, minLogLevel: parseLevel(task.task.logLevel, deps.minLogLevel ?? 'INFO'),
      signalSource: this.stop, deadline, knownSecrets: this.knownSecrets, renderNow: this.start, location: this.location,
    });
  }

  /** Renders, validates and runs the task; the outcome once it ended (or was stopped) and its logs are flushed. */
  private launch(): Promise<AttemptOutcome> {
    const { task, deps, opts } = this;
    const def = this.def!;
    const stop = this.stop!;
    const timeoutAt = task.timeoutMs !== undefined ? this.start.getTime() + task.timeoutMs : undefined;
    const deadline = timeoutAt !== undefined && (!opts.deadline || timeoutAt < opts.deadline.getTime())
      ? new Date(timeoutAt) : opts.deadline;
    let running: Promise<unknown>;
    try {
      const c = this.context(deadline);
      this.ctx = c;
      const props = validate(def, renderProperties(task.task, def.lazyProperties, (v, p) => c.renderNow(v, p)), this.location);
      if (stop.reason) return this.end(this.stopped(stop.reason));
      // A plugin whose run is not async still works: Promise.resolve keeps a native promise as is.
      running = Promise.resolve(def.run(c, props, task.continuation));
    } catch (err) {
      return this.end(this.failure(err));
    }
    const settled = stop.armed ? untilStopped(running, stop, deps.abortGraceMs ?? 10_000) : running;
    return settled.then((out) => this.end(this.outcome(out)), (err: unknown) => this.end(this.failure(err)));
  }

  private outcome(out: unknown): AttemptOutcome {
    const stop = this.stop!;
    if (stop.reason) return this.stopped(stop.reason);
    if (isSuspend(out)) return { kind: 'suspended', continuation: out.continuation };
    try {
      const warning = isWarning(out);
      // Outputs reach the API, --json and downstream tasks: a secret the task returned is masked there.
      const outputs = this.ctx!.maskValue(checkOutputs(this.def!, warning ? out.outputs : out, this.location));
      return this.done(warning ? 'WARNING' : 'SUCCESS', { outputs, metrics: this.ctx!.recordedMetrics() });
    } catch (err) {
      return this.failure(err);
    }
  }

  private failure(err: unknown): AttemptOutcome {
    if (this.stop?.reason) return this.stopped(this.stop.reason);
    const error: AloftErrorData = { ...this.location, ...toErrorData(err, ErrorCode.TASK_FAILED) };
    const ctx = this.ctx;
    if (ctx) {
      error.message = ctx.mask(error.message);
      ctx.logger.error(error.message);
    }
    return this.done('FAILED', { error, metrics: ctx?.recordedMetrics() });
  }

  /** Stops listening and flushes the logs (and removes the scratch folder) before the outcome is given. */
  private end(outcome: AttemptOutcome): Promise<AttemptOutcome> {
    this.stop?.dispose();
    const closing = this.ctx?.close();
    return closing ? closing.then(() => outcome) : Promise.resolve(outcome);
  }

  private stopped(reason: 'TIMEOUT' | 'KILLED'): AttemptOutcome {
    const error: AloftErrorData = reason === 'KILLED'
      ? { code: ErrorCode.KILLED, message: 'the task was killed', ...this.location }
      : { code: ErrorCode.TIMEOUT, message: `the task timed out after ${formatDurationMs(this.task.timeoutMs ?? 0)}`, ...this.location };
    this.ctx?.logger.log(reason === 'KILLED' ? 'WARN' : 'ERROR', error.message);
    return this.done(reason === 'KILLED' ? 'KILLED' : 'FAILED', { error });
  }

  private done(state: State, extra: Extra): AttemptOutcome {
    const result: WorkerResult = {
      executionId: this.task.executionId, taskRunId: this.task.taskRunId, attempt: this.task.attempt, state, startedAt: this.startedAt,
      endedAt: isoOf(this.deps.clock.now()),
    };
    if (extra.outputs) result.outputs = extra.outputs;
    if (extra.error) result.error = extra.error;
    if (extra.metrics) result.metrics = extra.metrics;
    return { kind: 'result', result };
  }
}

function taskRunValue(variables: Record<string, unknown>): string | undefined {
  const taskrun = variables.taskrun as { value?: unknown } | undefined;
  return typeof taskrun?.value === 'string' ? taskrun.value : undefined;
}

function validate(def: RunnableTaskDefinition, props: Record<string, unknown>, location: ErrorLocation): unknown {
  const parsed = def.properties.safeParse(props);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const first = issues[0];
  const property = first?.path.length ? first.path.map(String).join('.') : undefined;
  const message = issues.map((i) => `${i.path.length ? `${i.path.map(String).join('.')}: ` : ''}${i.message}`).join('; ');
  throw new AloftError(ErrorCode.FLOW_INVALID, `invalid properties after rendering: ${message}`, { ...location, ...(property ? { property } : {}) });
}

function checkOutputs(def: RunnableTaskDefinition, raw: unknown, location: ErrorLocation): Record<string, unknown> | undefined {
  // Before anything walks them recursively: a script can print outputs nested any depth.
  if (valueDepth(raw) > MAX_NESTING) throw new AloftError(ErrorCode.TASK_FAILED, `the task's outputs are nested deeper than ${MAX_NESTING} levels`, location);
  const parsed = def.outputs.safeParse(raw ?? {});
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AloftError(ErrorCode.INTERNAL, `the task returned invalid outputs: ${message}`, location);
  }
  const outputs = parsed.data as Record<string, unknown> | undefined;
  if (!outputs || typeof outputs !== 'object') return undefined;
  let empty = true;
  for (const _ in outputs) { empty = false; break; }
  if (empty) return undefined;
  // The exact size is only worth computing when a cheap estimate comes near the limit.
  if (roughSize(outputs, MAX_OUTPUTS_BYTES / 4) > MAX_OUTPUTS_BYTES / 4) {
    const size = Buffer.byteLength(JSON.stringify(outputs));
    if (size > MAX_OUTPUTS_BYTES) {
      throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `the task's outputs are ${size} bytes; store large values in internal storage (limit ${MAX_OUTPUTS_BYTES})`, location);
    }
  }
  return outputs;
}

/** A cheap lower bound on a value's JSON size, giving up once it passes `budget`. */
function roughSize(value: unknown, budget: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return 8;
  let size = 2;
  if (Array.isArray(value)) {
    for (const v of value) if ((size += roughSize(v, budget - size) + 1) > budget) return size;
    return size;
  }
  for (const k in value) {
    if ((size += k.length + 4 + roughSize((value as Record<string, unknown>)[k], budget - size)) > budget) return size;
  }
  return size;
}
