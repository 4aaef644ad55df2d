// A WorkingDirectory's group attempt, as Kestra's Worker runs one: make one folder; restore the
// cache, copy namespace files and write `inputFiles`; run each child in turn in that folder (its
// `runIf` rendered here, with the outputs of the children before it), reporting each child's start
// and result under the run id the engine chose; stop after a child that failed without
// `allowFailure`; then keep `outputFiles` and save the cache. The folder goes with the group.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { formatDurationMs } from '../model/duration';
import { AloftError, ErrorCode, toErrorData, type AloftErrorData } from '../model/errors';
import type { ExecutionEvent } from '../model/events';
import { FALSY_TEXTS } from '../model/flow';
import { State, isFailed } from '../model/states';
import type { GroupChild, WorkerResult, WorkerTask } from '../model/worker-messages';
import { inputFilesOf } from '../plugins/scripts/exec-script';
import { writeInputFiles, writeNamespaceFiles } from '../plugins/scripts/files';
import { uploadOutputFiles } from '../plugins/scripts/output-files';
import { createTaskContext, type AttemptTaskContext } from './context';
import { restoreCache, saveCache, type CacheOwner, type CacheSpec } from './group-cache';
import { isoOf } from './iso';
import { parseLevel } from './logger';
import { runAttempt } from './run-attempt';
import { runFolder } from './scratch';
import { LazyAbortController, killSourceOf } from './stop';
import type { AttemptOutcome, RunAttemptOptions, WorkerDeps } from './types';
import { identityOf } from './variables';
import { loadVariables } from './variables-uri';

/** How the group tells the engine about its children, as they start and end. */
export type GroupReport = (event: ExecutionEvent) => Promise<unknown> | unknown;

interface GroupProps {
  inputFiles?: Record<string, string | null> | string;
  outputFiles?: string[];
  namespaceFiles?: { enabled?: boolean; include?: string[]; exclude?: string[] };
  cache?: CacheSpec;
}

export async function runGroup(task: WorkerTask, deps: WorkerDeps, opts: RunAttemptOptions, report: GroupReport): Promise<AttemptOutcome> {
  const start = deps.clock.now();
  const done = (state: State, extra: { outputs?: Record<string, unknown>; error?: AloftErrorData } = {}): AttemptOutcome => {
    const result: WorkerResult = {
      executionId: task.executionId, taskRunId: task.taskRunId, attempt: task.attempt, state, startedAt: isoOf(start), endedAt: isoOf(deps.clock.now()),
    };
    if (extra.outputs) result.outputs = extra.outputs;
    if (extra.error) result.error = extra.error;
    return { kind: 'result', result };
  };
  let variables = task.variables;
  if (task.variablesUri) {
    try {
      variables = await loadVariables(deps.blobs, task.variablesUri);
    } catch (err) {
      return done(State.FAILED, { error: { task: task.taskId, ...toErrorData(err, ErrorCode.INFRA_RETRYABLE) } });
    }
  }
  const who = identityOf(task.executionId, variables);
  const location = { flow: `${who.namespace}.${who.flowId}`, task: task.taskId };
  const value = (variables.taskrun as { value?: unknown } | undefined)?.value;
  const owner: CacheOwner = { namespace: who.namespace, flowId: who.flowId, taskId: task.taskId, ...(typeof value === 'string' ? { value } : {}) };
  const props = task.task as GroupProps;
  const dir = await mkdtemp(join(await runFolder(deps.tempRoot), `${task.taskId.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
  const ctx = createTaskContext({
    execution: who, taskRun: { id: task.taskRunId, taskId: task.taskId, ...(typeof value === 'string' ? { value } : {}), attempt: task.attempt },
    variables, blobs: deps.blobs, secrets: deps.secrets, kv: deps.kv, clock: deps.clock, env: deps.env, tempRoot: deps.tempRoot, workingDir: dir,
    logs: deps.logs, executions: deps.executions, stdoutLog: deps.stdoutLog, minLogLevel: parseLevel(task.task.logLevel, deps.minLogLevel ?? 'INFO'),
    location,
  });
  // The group's own stop: a kill, or its `timeout` for the whole group; the running child is stopped with it.
  const stop = new LazyAbortController();
  const outer = opts.kill ?? (opts.signal ? killSourceOf(opts.signal) : undefined);
  const kill = (): void => stop.abort();
  if (outer?.aborted) stop.abort();
  else if (outer?.onAbort) outer.onAbort(kill);
  else outer?.signal.addEventListener('abort', kill, { once: true });
  let timedOut = false;
  const timer = task.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; stop.abort(); }, task.timeoutMs);
  const killed = (): boolean => stop.aborted;
  try {
    let restoredAt: number | undefined;
    try {
      if (props.cache) restoredAt = await restoreCache(deps.blobs, owner, props.cache, dir, start);
      // Namespace files first: inputFiles of the same name win, as in the scripts.
      if (props.namespaceFiles?.enabled) await writeNamespaceFiles(ctx, dir, props.namespaceFiles);
      if (props.inputFiles !== undefined) await writeInputFiles(ctx, dir, await inputFilesOf(ctx, props.inputFiles, { workingDir: dir }));
    } catch (err) {
      return done(State.FAILED, { error: failure(ctx, err, location, 'inputFiles') });
    }
    let outputs = variables.outputs as Record<string, unknown> | undefined;
    for (const child of task.children ?? []) {
      if (killed()) break;
      const childTask = childWorkerTask(task, child, variables, outputs);
      const result = await runChild(childTask, deps, { workerId: opts.workerId, kill: stop }, dir, report, task.taskRunId);
      if (result.outputs) outputs = withOutputs(outputs, task.outputsPath ?? [], child.taskId, result.outputs);
      if (isFailed(result.state) && child.task.allowFailure !== true) break;
    }
    if (timedOut) {
      const message = `the WorkingDirectory timed out after ${formatDurationMs(task.timeoutMs ?? 0)}`;
      ctx.logger.error(message);
      return done(State.FAILED, { error: { code: ErrorCode.TIMEOUT, message, ...location } });
    }
    if (killed()) return done(State.KILLED, { error: { code: ErrorCode.KILLED, message: 'the task was killed', ...location } });
    let kept: Record<string, string> = {};
    try {
      if (props.outputFiles?.length) kept = await uploadOutputFiles(ctx, dir, props.outputFiles);
      if (props.cache && await saveCache(deps.blobs, owner, props.cache, dir, restoredAt, deps.clock.now())) ctx.logger.debug('the cache was saved');
    } catch (err) {
      return done(State.FAILED, { error: failure(ctx, err, location, 'outputFiles') });
    }
    return done(State.SUCCESS, Object.keys(kept).length > 0 ? { outputs: { outputFiles: kept } } : {});
  } finally {
    if (timer) clearTimeout(timer);
    if (outer?.offAbort) outer.offAbort(kill);
    else outer?.signal.removeEventListener('abort', kill);
    await ctx.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function failure(ctx: AttemptTaskContext, err: unknown, location: { flow: string; task: string }, property: string): AloftErrorData {
  const data = toErrorData(err, ErrorCode.TASK_FAILED);
  // The error's own property when it names one (inputFiles.<name>), else the group's property at fault.
  const error: AloftErrorData = { ...location, ...data, property: data.property ?? property };
  error.message = ctx.mask(error.message);
  ctx.logger.error(`the WorkingDirectory's files failed: ${error.message}`);
  return error;
}

/** Runs one child in the folder (or settles it SKIPPED by its runIf), reporting its start and result. */
async function runChild(childTask: WorkerTask, deps: WorkerDeps, opts: RunAttemptOptions, dir: string, report: GroupReport, parentTaskRunId: string): Promise<WorkerResult> {
  const at = isoOf(deps.clock.now());
  const skipped = await skippedByRunIf(childTask, deps);
  if (skipped) {
    const result: WorkerResult = { ...skipped, parentTaskRunId };
    await report({ type: 'WorkerResult', result });
    return result;
  }
  await report({ type: 'AttemptStarted', taskRunId: childTask.taskRunId, attempt: 0, at, workerId: opts.workerId, parentTaskRunId });
  const outcome = await runAttempt(childTask, deps, { workerId: opts.workerId, kill: opts.kill, workingDir: dir });
  const result: WorkerResult = outcome.kind === 'result'
    ? { ...outcome.result, parentTaskRunId }
    : {
      // A resumable task cannot hand over mid-group (the folder stays with this worker); it never gets a deadline here.
      executionId: childTask.executionId, taskRunId: childTask.taskRunId, attempt: 0, state: State.FAILED, startedAt: at, endedAt: isoOf(deps.clock.now()),
      error: { code: ErrorCode.NOT_SUPPORTED, message: 'a task cannot continue in a later invocation inside a WorkingDirectory', task: childTask.taskId },
      parentTaskRunId,
    };
  await report({ type: 'WorkerResult', result });
  return result;
}

/** Kestra renders a child's runIf on the worker: falsy settles it SKIPPED, a bad template fails it. */
async function skippedByRunIf(childTask: WorkerTask, deps: WorkerDeps): Promise<WorkerResult | undefined> {
  const runIf = childTask.task.runIf;
  if (runIf === undefined || runIf === true) return undefined;
  const now = isoOf(deps.clock.now());
  const base = { executionId: childTask.executionId, taskRunId: childTask.taskRunId, attempt: 0, startedAt: now, endedAt: now };
  let text: string;
  try {
    const ctx = createTaskContext({
      execution: identityOf(childTask.executionId, childTask.variables), taskRun: { id: childTask.taskRunId, taskId: childTask.taskId, attempt: 0 },
      variables: childTask.variables, blobs: deps.blobs, secrets: deps.secrets, kv: deps.kv, clock: deps.clock, env: deps.env, tempRoot: deps.tempRoot,
    });
    text = String(await ctx.render(runIf));
  } catch (err) {
    const error = toErrorData(err instanceof AloftError ? err : new AloftError(ErrorCode.EXPRESSION, String(err)), ErrorCode.EXPRESSION);
    return { ...base, state: State.FAILED, error: { ...error, task: childTask.taskId, property: 'runIf' } };
  }
  return FALSY_TEXTS.includes(text.trim()) ? { ...base, state: State.SKIPPED } : undefined;
}

/** A child's own worker task: the group's variables with the child as `task` and `taskrun`, the group as its parent. */
function childWorkerTask(group: WorkerTask, child: GroupChild, variables: Record<string, unknown>, outputs: Record<string, unknown> | undefined): WorkerTask {
  const groupRun = (variables.taskrun ?? {}) as Record<string, unknown>;
  const entry: Record<string, unknown> = groupRun.value !== undefined ? { taskrun: { value: groupRun.value } } : {};
  const parents = [entry, ...((variables.parents as unknown[] | undefined) ?? [])];
  const vars: Record<string, unknown> = {
    ...variables,
    outputs: outputs ?? {},
    task: { id: child.taskId, type: child.type },
    taskrun: { id: child.taskRunId, attemptsCount: 0, parentId: group.taskRunId },
    parents,
    parent: entry,
  };
  return {
    executionId: group.executionId, taskRunId: child.taskRunId, attempt: 0, taskId: child.taskId, type: child.type, group: group.group,
    task: child.task, variables: vars, ...(child.timeoutMs !== undefined ? { timeoutMs: child.timeoutMs } : {}),
  };
}

/** `outputs` with a child's outputs added where the engine addresses them: by the loop values above the group. */
function withOutputs(outputs: Record<string, unknown> | undefined, path: readonly string[], taskId: string, value: Record<string, unknown>): Record<string, unknown> {
  const root: Record<string, unknown> = { ...(outputs ?? {}) };
  if (path.length === 0) {
    root[taskId] = value;
    return root;
  }
  let node: Record<string, unknown> = (root[taskId] = { ...((root[taskId] as Record<string, unknown> | undefined) ?? {}) });
  for (let i = 0; i < path.length - 1; i++) node = (node[path[i]] = { ...((node[path[i]] as Record<string, unknown> | undefined) ?? {}) });
  node[path[path.length - 1]] = value;
  return root;
}
