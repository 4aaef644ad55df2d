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
import { AttemptStop, untilStopped } from './stop';
import type { AttemptOutcome, RunAttemptOptions, WorkerDeps } from './types';
import { identityOf } from './variables';
import { isoOf } from './iso';
import { loadVariables } from './variables-uri';

/** Outputs travel in messages and documents; larger values belong in internal storage. */
const MAX_OUTPUTS_BYTES = 200 * 1024;

interface Extra {
  outputs?: Record<string, unknown>;
  error?: AloftErrorData;
  metrics?: Record<string, number>;
}

export async function runAttempt(task: WorkerTask, deps: WorkerDeps, opts: RunAttemptOptions): Promise<AttemptOutcome> {
  const start = deps.clock.now();
  const startedAt = isoOf(start);
  const done = (state: State, extra: Extra): AttemptOutcome => {
    const result: WorkerResult = {
      executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt, state, startedAt,
      endedAt: isoOf(deps.clock.now()),
    };
    if (extra.outputs) result.outputs = extra.outputs;
    if (extra.error) result.error = extra.error;
    if (extra.metrics) result.metrics = extra.metrics;
    return { kind: 'result', result };
  };

  let variables = task.variables;
  if (task.variablesUri) {
    try {
      variables = await loadVariables(deps.blobs, task.variablesUri);
    } catch (err) {
      return done('FAILED', { error: { task: task.taskId, ...toErrorData(err, ErrorCode.INFRA_RETRYABLE) } });
    }
  }
  const who = identityOf(task.executionId, variables);
  const location: ErrorLocation = { flow: `${who.namespace}.${who.flowId}`, task: task.taskId };

  const def = deps.catalog.runnable(task.type);
  if (!def) {
    return done('FAILED', {
      error: { code: ErrorCode.FLOW_INVALID, message: `unknown task type '${task.type}'`, ...location, property: 'type' },
    });
  }

  const stop = new AttemptStop(opts.kill ?? opts.signal, task.timeoutMs);
  const timeoutAt = task.timeoutMs !== undefined ? start.getTime() + task.timeoutMs : undefined;
  const deadline = timeoutAt !== undefined && (!opts.deadline || timeoutAt < opts.deadline.getTime())
    ? new Date(timeoutAt) : opts.deadline;
  const knownSecrets: Record<string, string> = {};
  let ctx: AttemptTaskContext | undefined;
  try {
    if (mayUseSecrets(task.task)) await resolveSecrets(ownProperties(task.task), deps.secrets, knownSecrets);
    const c = createTaskContext({
      execution: who, taskRun: { id: task.taskRunId, taskId: task.taskId, value: taskRunValue(variables), attempt: task.attempt },
      variables, blobs: deps.blobs, secrets: deps.secrets, clock: deps.clock, env: deps.env, tempRoot: deps.tempRoot,
      logs: deps.logs, stdoutLog: deps.stdoutLog, minLogLevel: parseLevel(task.task.logLevel, deps.minLogLevel ?? 'INFO'),
      signalSource: stop, deadline, knownSecrets, renderNow: start,
    });
    ctx = c;
    const props = validate(def, renderProperties(task.task, def.lazyProperties, (v, p) => c.renderNow(v, p)), location);
    if (stop.reason) return stopped(stop.reason, task, location, c, done);
    // A plugin whose run is not async still works: Promise.resolve keeps a native promise as is.
    const running = Promise.resolve(def.run(c, props, task.continuation));
    const out = stop.armed ? await untilStopped(running, stop, deps.abortGraceMs ?? 10_000) : await running;
    if (stop.reason) return stopped(stop.reason, task, location, c, done);
    if (isSuspend(out)) return { kind: 'suspended', continuation: out.continuation };
    const warning = isWarning(out);
    const outputs = checkOutputs(def, warning ? out.outputs : out, location);
    return done(warning ? 'WARNING' : 'SUCCESS', { outputs, metrics: c.recordedMetrics() });
  } catch (err) {
    if (stop.reason) return stopped(stop.reason, task, location, ctx, done);
    const error: AloftErrorData = { ...location, ...toErrorData(err, ErrorCode.TASK_FAILED) };
    if (ctx) {
      error.message = ctx.mask(error.message);
      ctx.logger.error(error.message);
    }
    return done('FAILED', { error, metrics: ctx?.recordedMetrics() });
  } finally {
    stop.dispose();
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

function stopped(
  reason: 'TIMEOUT' | 'KILLED', task: WorkerTask, location: ErrorLocation, ctx: AttemptTaskContext | undefined,
  done: (s: State, e: Extra) => AttemptOutcome,
): AttemptOutcome {
  const error: AloftErrorData = reason === 'KILLED'
    ? { code: ErrorCode.KILLED, message: 'the task was killed', ...location }
    : { code: ErrorCode.TIMEOUT, message: `the task timed out after ${formatDurationMs(task.timeoutMs ?? 0)}`, ...location };
  ctx?.logger.log(reason === 'KILLED' ? 'WARN' : 'ERROR', error.message);
  return done(reason === 'KILLED' ? 'KILLED' : 'FAILED', { error });
}
