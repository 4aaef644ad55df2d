// Runs one attempt of one task run: render, validate, run the plugin under its timeout and kill
// signal, validate the outputs and turn whatever happened into a WorkerResult. Never throws for
// anything a task or its user did; users see an error code and message, never a stack trace.
// This is the embedded runtime's hot path: no scratch folder, timer or extra await unless needed.
import { AloftError, ErrorCode, toErrorData, type AloftErrorData, type ErrorLocation } from '../model/errors';
import { formatDurationMs } from '../model/duration';
import type { State } from '../model/states';
import type { WorkerResult, WorkerTask } from '../model/worker-messages';
import { isSuspend, isWarning, type RunnableTaskDefinition } from '../plugins/types';
import { createTaskContext, type AttemptTaskContext } from './context';
import { parseLevel } from './logger';
import { mayUseSecrets, ownProperties, renderProperties, resolveSecrets } from './render';
import type { AttemptOutcome, RunAttemptOptions, WorkerDeps } from './types';
import { identityOf } from './variables';
import { loadVariables } from './variables-uri';

/** Outputs travel in messages and documents; larger values belong in internal storage. */
const MAX_OUTPUTS_BYTES = 200 * 1024;

type Stop = { reason: 'TIMEOUT' | 'KILLED' };

export async function runAttempt(task: WorkerTask, deps: WorkerDeps, opts: RunAttemptOptions): Promise<AttemptOutcome> {
  const startedAt = deps.clock.now().toISOString();
  let location: ErrorLocation = { task: task.taskId };
  const done = (state: State, extra: Partial<WorkerResult>): AttemptOutcome => ({
    kind: 'result',
    result: {
      executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt, state, ...extra,
      startedAt, endedAt: deps.clock.now().toISOString(),
    },
  });
  let variables = task.variables;
  if (task.variablesUri) {
    try {
      variables = await loadVariables(deps.blobs, task.variablesUri);
    } catch (err) {
      return done('FAILED', { error: { ...location, ...toErrorData(err, ErrorCode.INFRA_RETRYABLE) } });
    }
  }
  const who = identityOf(task.executionId, variables);
  location = { flow: `${who.namespace}.${who.flowId}`, task: task.taskId };

  const def = deps.catalog.runnable(task.type);
  if (!def) {
    return done('FAILED', {
      error: { code: ErrorCode.FLOW_INVALID, message: `unknown task type '${task.type}'`, ...location, property: 'type' },
    });
  }

  // Kill and timeout share one signal; the plain path (no timeout, no kill signal) allocates none.
  let controller: AbortController | undefined;
  let stop: Stop | undefined;
  let timer: NodeJS.Timeout | undefined;
  let onKill: (() => void) | undefined;
  if (task.timeoutMs !== undefined || opts.signal) {
    controller = new AbortController();
    const abort = (reason: Stop['reason']): void => {
      if (stop) return;
      stop = { reason };
      controller!.abort(new AloftError(ErrorCode[reason], reason === 'KILLED' ? 'the task was killed' : `the task timed out`));
    };
    if (opts.signal) {
      if (opts.signal.aborted) abort('KILLED');
      else {
        onKill = () => abort('KILLED');
        opts.signal.addEventListener('abort', onKill, { once: true });
      }
    }
    if (task.timeoutMs !== undefined) {
      timer = setTimeout(() => abort('TIMEOUT'), task.timeoutMs);
      timer.unref();
    }
  }
  const timeoutAt = task.timeoutMs !== undefined ? Date.parse(startedAt) + task.timeoutMs : undefined;
  const deadline = timeoutAt !== undefined && (!opts.deadline || timeoutAt < opts.deadline.getTime())
    ? new Date(timeoutAt) : opts.deadline;

  const knownSecrets: Record<string, string> = {};
  let ctx: AttemptTaskContext | undefined;
  try {
    if (mayUseSecrets(task.task)) await resolveSecrets(ownProperties(task.task), deps.secrets, knownSecrets);
    ctx = createTaskContext({
      execution: who, taskRun: { id: task.taskRunId, taskId: task.taskId, value: taskRunValue(variables), attempt: task.attempt },
      variables, blobs: deps.blobs, secrets: deps.secrets, clock: deps.clock, env: deps.env, tempRoot: deps.tempRoot,
      logs: deps.logs, stdoutLog: deps.stdoutLog, minLogLevel: parseLevel(task.task.logLevel, deps.minLogLevel ?? 'INFO'),
      signal: controller?.signal ?? opts.signal, deadline, knownSecrets,
    });
    const props = validate(def, renderProperties(task.task, def.lazyProperties, (v, p) => ctx!.renderNow(v, p)), location);
    const running = def.run(ctx, props, task.continuation);
    const out = controller ? await untilStopped(running, controller.signal, deps.abortGraceMs ?? 10_000) : await running;
    if (stop) return stopped(stop, task, ctx, done);
    if (isSuspend(out)) return { kind: 'suspended', continuation: out.continuation };
    const warning = isWarning(out);
    const outputs = checkOutputs(def, warning ? out.outputs : out, location);
    const metrics = ctx.recordedMetrics();
    return done(warning ? 'WARNING' : 'SUCCESS', { ...(outputs ? { outputs } : {}), ...(metrics ? { metrics } : {}) });
  } catch (err) {
    if (stop) return stopped(stop, task, ctx, done);
    const error = errorData(err, location, ctx);
    ctx?.logger.error(error.message);
    const metrics = ctx?.recordedMetrics();
    return done('FAILED', { error, ...(metrics ? { metrics } : {}) });
  } finally {
    if (timer) clearTimeout(timer);
    if (onKill) opts.signal?.removeEventListener('abort', onKill);
    const closing = ctx?.close();
    if (closing) await closing;
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
  const size = Buffer.byteLength(JSON.stringify(outputs));
  if (size > MAX_OUTPUTS_BYTES) {
    throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `the task's outputs are ${size} bytes; store large values in internal storage (limit ${MAX_OUTPUTS_BYTES})`, location);
  }
  return outputs;
}

/**
 * Waits for the task, or for the stop signal; then gives the task a grace period to clean up
 * (a script kills its process group) before the result is returned anyway.
 */
async function untilStopped<T>(running: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T | undefined> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    else {
      onAbort = () => resolve('stopped');
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    const first = await Promise.race([running, aborted]);
    if (first !== 'stopped' || !signal.aborted) return first as T;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
  let grace: NodeJS.Timeout | undefined;
  await Promise.race([
    running.then(() => undefined, () => undefined),
    new Promise<void>((resolve) => { grace = setTimeout(resolve, graceMs); }),
  ]);
  clearTimeout(grace);
  return undefined;
}

function stopped(
  stop: Stop, task: WorkerTask, ctx: AttemptTaskContext | undefined, done: (s: State, e: Partial<WorkerResult>) => AttemptOutcome,
): AttemptOutcome {
  const location = { flow: `${ctx?.execution.namespace}.${ctx?.execution.flowId}`, task: task.taskId };
  const error: AloftErrorData = stop.reason === 'KILLED'
    ? { code: ErrorCode.KILLED, message: 'the task was killed', ...location }
    : { code: ErrorCode.TIMEOUT, message: `the task timed out after ${formatDurationMs(task.timeoutMs ?? 0)}`, ...location };
  ctx?.logger.log(stop.reason === 'KILLED' ? 'WARN' : 'ERROR', error.message);
  return done(stop.reason === 'KILLED' ? 'KILLED' : 'FAILED', { error });
}

function errorData(err: unknown, location: ErrorLocation, ctx: AttemptTaskContext | undefined): AloftErrorData {
  const data = toErrorData(err, ErrorCode.TASK_FAILED);
  const out: AloftErrorData = { ...location, ...data };
  out.message = ctx ? ctx.mask(out.message) : out.message;
  return out;
}
