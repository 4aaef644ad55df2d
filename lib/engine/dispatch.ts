// Creating task runs and starting them: a runnable gets a new attempt and a DispatchWorkerTask, a
// flowable is handed to its behaviour. Unknown types and bad timeouts fail the run, never the step.
import type { PluginGroup } from '../model/catalog';
import { parseDurationMs } from '../model/duration';
import { EffectType } from '../model/effects';
import { ErrorCode } from '../model/errors';
import type { TaskRun, TaskRunAttempt } from '../model/execution';
import type { Task } from '../model/flow';
import type { WorkerTask } from '../model/worker-messages';
import { State } from '../model/states';
import type { Draft } from './draft';
import { renderText } from './render';
import { settledByRunIf } from './run-if';
import { appended, failRun, newAttempt, newRecord, runState, type ErrorData } from './state-ops';

export function newRun(d: Draft, taskId: string, parentTaskRunId: string | undefined, value: string | undefined): TaskRun {
  const e = d.execution;
  const id = d.ids.next();
  const state = newRecord(State.CREATED, d.now);
  const attempts: TaskRunAttempt[] = [];
  // Plain literals in the same key order: spreads in a literal take V8's slow path.
  if (parentTaskRunId === undefined && value === undefined) {
    return { id, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, attempts, state };
  }
  if (value === undefined) return { id, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, parentTaskRunId, attempts, state };
  if (parentTaskRunId === undefined) return { id, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, value, attempts, state };
  return { id, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, parentTaskRunId, value, attempts, state };
}

/** Creates the run of `task` under `parentTaskRunId` (undefined at flow level) and starts it. */
export function createRun(d: Draft, task: Task, parentTaskRunId: string | undefined, value?: string): void {
  const run = newRun(d, task.id, parentTaskRunId, value);
  d.add(run);
  startRun(d, run, task);
}

/** Starts a CREATED or RESTARTED run. */
export function startRun(d: Draft, run: TaskRun, task: Task): void {
  if (task.runIf !== undefined && settledByRunIf(d, run, task)) return;
  const flowable = d.node(task.id)?.flowable;
  if (flowable) flowable.start(d, run, task);
  else dispatchAttempt(d, run, task);
}

/** Fails a run and tells its container. */
export function failAndNotify(d: Draft, run: TaskRun, error: ErrorData): void {
  d.update(failRun(run, error, d.now));
  d.enqueue(run.parentTaskRunId);
}

/**
 * The worker group and timeout of a runnable `task` that `run` is to hand a worker (the run's own
 * task, or a WorkingDirectory's child); undefined once `run` was failed, naming `task`, because the
 * type cannot run on a worker or its timeout is invalid.
 */
export function workerTarget(d: Draft, run: TaskRun, task: Task): { group: PluginGroup; timeoutMs?: number } | undefined {
  const info = d.catalog.get(task.type);
  if (!info || info.kind !== 'runnable' || !info.group) {
    const why = !info ? `unknown task type '${task.type}'` : `task type '${task.type}' cannot run on a worker`;
    failAndNotify(d, run, { code: ErrorCode.FLOW_INVALID, message: why, flow: d.fx.key, task: task.id, property: 'type' });
    return undefined;
  }
  const timeout = timeoutMs(d, run, task);
  if (timeout.error) {
    failAndNotify(d, run, { ...timeout.error, task: task.id });
    return undefined;
  }
  return timeout.ms !== undefined ? { group: info.group, timeoutMs: timeout.ms } : { group: info.group };
}

/** Adds a CREATED attempt to a runnable's run and asks a worker to run it. */
export function dispatchAttempt(d: Draft, run: TaskRun, task: Task): void {
  const target = workerTarget(d, run, task);
  if (!target) return;
  const attempt = run.attempts.length;
  let next: TaskRun = { ...run, attempts: appended(run.attempts, newAttempt(d.now)) };
  if (next.state.current === State.RETRYING) {
    // Kestra's retryTask: the run is CREATED again (RUNNING once the worker starts it), the execution RUNNING.
    next = runState(next, State.CREATED, d.now);
    if (d.state === State.RETRYING) {
      d.setState(State.RUNNING);
      // A Pause reached meanwhile in another branch shows again once nothing waits to retry.
      d.pauseTouched = true;
    }
  }
  d.update(next);
  // No spread in the literal (V8's slow path, once per task): the timeout is set after.
  const workerTask: WorkerTask = {
    executionId: run.executionId,
    taskRunId: run.id,
    attempt,
    taskId: task.id,
    type: task.type,
    group: target.group,
    task: task as Record<string, unknown>,
    variables: d.variables(next),
  };
  if (target.timeoutMs !== undefined) workerTask.timeoutMs = target.timeoutMs;
  d.emit({ type: EffectType.DispatchWorkerTask, workerTask });
}

const NO_TIMEOUT: { ms?: number; error?: ErrorData } = Object.freeze({});

/** The task's `timeout` in ms (rendered at `run` when it holds an expression), or why it is invalid. */
export function timeoutMs(d: Draft, run: TaskRun, task: Task): { ms?: number; error?: ErrorData } {
  if (task.timeout === undefined) return NO_TIMEOUT;
  let text = task.timeout;
  if (text.includes('{{')) {
    const rendered = renderText(d.renderSite(run), 'timeout', text);
    if (!rendered.ok) return { error: rendered.error };
    text = rendered.value;
  }
  const ms = parseDurationMs(text);
  if (ms === undefined || ms <= 0) {
    return { error: { code: ErrorCode.FLOW_INVALID, message: `timeout '${text}' is not a positive ISO-8601 duration such as PT30S`, flow: d.fx.key, task: task.id, property: 'timeout' } };
  }
  return { ms };
}
