// WorkingDirectory: its runnable children share one folder. As Kestra's Worker does, one worker runs
// them all, one after the other, as one group attempt on the WorkingDirectory's own run; the engine
// only dispatches the group, creates each child's run when the worker first reports it, and, once the
// group ended, runs `errors` (after a failed child) and `finally` as Sequential does, on any worker.
import { z } from 'zod';
import { PluginGroup, type TaskTypeInfo } from '../../model/catalog';
import { EffectType } from '../../model/effects';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { State, isTerminal } from '../../model/states';
import type { GroupChild, WorkerResult } from '../../model/worker-messages';
import { evaluateBranches } from '../container';
import { failAndNotify, timeoutMs, workerTarget } from '../dispatch';
import type { Draft } from '../draft';
import { LOST_ATTEMPTS, MAX_LOST_ATTEMPTS } from '../retry';
import {
  appended, attemptState, cleanError, endAttempt, internalOf, lastAttempt, newAttempt, newRecord, runState, withInternal, withLastAttempt,
} from '../state-ops';
import { enabled } from '../task-list';
import type { FlowableBehaviour } from './behaviour';
import { flowableBehaviour } from './index';
import { conclude, startRunning } from './list-behaviour';
import { NonEmptyTaskList, TaskList, names } from './schemas';

const CacheSchema = z.object({
  /** Globs of files (relative to the folder) archived at the end and restored at the next start. */
  patterns: z.array(z.string()).min(1, 'expected at least one pattern'),
  /** ISO-8601 duration after which a saved cache is ignored. */
  ttl: z.string().optional(),
}).strict();

/** Kestra's WorkingDirectoryTaskValidation: only runnable tasks run in the folder. */
function runnableChildren(tasks: readonly { id: string; type: string }[], ctx: z.RefinementCtx): void {
  if (!Array.isArray(tasks as unknown)) return;
  tasks.forEach((t, i) => {
    if (typeof t?.type === 'string' && flowableBehaviour(t.type)) {
      // At the list: the validator reports nothing inside a child but the child's own checks.
      ctx.addIssue({ code: 'custom', path: ['tasks'], message: `task '${t.id}' (tasks[${i}]) is a flowable (${t.type}): only runnable tasks can run in a WorkingDirectory` });
    }
  });
}

export const workingDirectoryInfo: TaskTypeInfo = {
  type: 'io.kestra.core.tasks.flows.WorkingDirectory',
  aliases: [...names('WorkingDirectory').aliases, 'io.kestra.core.tasks.flows.Worker'],
  kind: 'flowable',
  properties: z.object({
    tasks: NonEmptyTaskList,
    errors: TaskList.optional(),
    finally: TaskList.optional(),
    /** File name -> content or kestra:// URI, or the JSON text of such a map. */
    inputFiles: z.union([z.record(z.string(), z.string().nullable()), z.string()]).optional(),
    /** Globs of files kept at the end, as the `outputFiles` output (name -> URI). */
    outputFiles: z.array(z.string()).optional(),
    namespaceFiles: z.object({
      enabled: z.boolean().optional(), include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional(),
    }).strict().optional(),
    cache: CacheSchema.optional(),
  }).strict().superRefine((p, ctx) => runnableChildren(p.tasks, ctx)),
  childLists: ['tasks', 'errors', 'finally'],
  runsChildrenOnWorker: true,
};

/** Internal key: the child task run ids the current group attempt may report, id -> task id. */
const PLANNED = 'groupChildren';

/**
 * Which worker function runs a group whose children belong to several plugin groups (Kestra runs
 * them all on one worker): every worker function carries the whole catalog, so any can run them.
 * The first of this order among the children's groups is chosen: the functions with the most memory
 * and one task per instance first (infra/locals.tf), as containers and scripts need. The chosen
 * function's service account serves every child (docs/engine.md#workingdirectory-1x).
 */
const GROUP_WEIGHT: readonly PluginGroup[] = [
  PluginGroup.singer, PluginGroup.scripts, PluginGroup.gcp, PluginGroup.jdbc, PluginGroup.kafka, PluginGroup.serdes, PluginGroup.core,
];

/** The plugin group whose worker runs a WorkingDirectory with children of these groups. */
export function groupFor(groups: readonly PluginGroup[]): PluginGroup {
  return GROUP_WEIGHT.find((g) => groups.includes(g)) ?? PluginGroup.core;
}

/** Loop values of the run and its ancestors, outermost first: where its children's outputs are addressed. */
function valuesPath(d: Draft, run: TaskRun): string[] {
  const values: string[] = [];
  for (let r: TaskRun | undefined = run; r; r = r.parentTaskRunId === undefined ? undefined : d.run(r.parentTaskRunId)) {
    if (r.value !== undefined) values.push(r.value);
  }
  return values.reverse();
}

/** A new group attempt on `run`: every enabled child gets a fresh run id, and one worker runs them all. */
function dispatchGroup(d: Draft, run: TaskRun, task: Task): void {
  const children: GroupChild[] = [];
  const groups: PluginGroup[] = [];
  for (const child of enabled(task.tasks as Task[])) {
    const target = workerTarget(d, run, child);
    if (!target) return;
    groups.push(target.group);
    children.push({ taskId: child.id, taskRunId: d.ids.next(), type: child.type, task: child as Record<string, unknown>, ...(target.timeoutMs !== undefined ? { timeoutMs: target.timeoutMs } : {}) });
  }
  const own = timeoutMs(d, run, task);
  if (own.error) {
    failAndNotify(d, run, own.error);
    return;
  }
  const attempt = run.attempts.length;
  const planned = Object.fromEntries(children.map((c) => [c.taskRunId, c.taskId]));
  const next = withInternal({ ...run, attempts: appended(run.attempts, newAttempt(d.now)) }, { [PLANNED]: planned });
  d.update(next);
  // The children travel in `children`; the definition keeps only the group's own properties.
  const { tasks: _t, errors: _e, finally: _f, ...own_ } = task as Record<string, unknown>;
  d.emit({
    type: EffectType.DispatchWorkerTask,
    workerTask: {
      executionId: run.executionId, taskRunId: run.id, attempt, taskId: task.id, type: task.type, group: groupFor(groups),
      task: own_, variables: d.variables(next), children, outputsPath: valuesPath(d, run),
      ...(own.ms !== undefined ? { timeoutMs: own.ms } : {}),
    },
  });
}

/** True while the group's last attempt has not ended. */
const groupActive = (run: TaskRun): boolean => {
  const a = lastAttempt(run);
  return a !== undefined && !isTerminal(a.state.current);
};

/** Ends every unfinished child of the group in `state` (its worker stopped or died under it). */
function endChildren(d: Draft, run: TaskRun, state: State): void {
  for (const child of d.children(run.id)) {
    if (isTerminal(child.state.current)) continue;
    const ended = withLastAttempt(child, (a) => endAttempt(a, state, d.now, child));
    d.update(runState(ended.state.current === State.CREATED && state !== State.KILLED ? runState(ended, State.RUNNING, d.now) : ended, state, d.now));
  }
}

function onGroupStarted(d: Draft, run: TaskRun, _task: Task, e: { attempt: number; at: string; workerId?: string }): void {
  const a = lastAttempt(run);
  if (!a || e.attempt !== run.attempts.length - 1 || a.state.current !== State.CREATED) return;
  d.update(withLastAttempt(run, (x) => {
    const started = attemptState(x, State.RUNNING, d.now, run);
    return e.workerId ? { ...started, workerId: e.workerId } : started;
  }));
}

function onGroupResult(d: Draft, run: TaskRun, task: Task, r: WorkerResult): void {
  if (r.attempt !== run.attempts.length - 1 || !groupActive(run) || isTerminal(run.state.current)) return;
  let next = withLastAttempt(run, (a) => {
    const ended = endAttempt(a, r.state, d.now, run);
    return r.logsUri ? { ...ended, logsUri: r.logsUri } : ended;
  });
  if (r.lost && !d.killing && run.state.current !== State.KILLING) {
    // Its worker died mid-group, and the folder with it: as Kestra resends a dead worker's task, the
    // whole group runs again on another worker, its children with new runs.
    const count = (internalOf<number>(next, LOST_ATTEMPTS) ?? 0) + 1;
    next = withInternal(next, { [LOST_ATTEMPTS]: count });
    if (count <= MAX_LOST_ATTEMPTS) {
      d.replaceAll(d.runs.filter((x) => x.parentTaskRunId !== run.id).map((x) => (x.id === run.id ? next : x)));
      dispatchGroup(d, next, task);
      return;
    }
  }
  if (r.outputs) next = { ...next, outputs: r.outputs };
  d.update(next);
  if (r.state === State.KILLED || r.state === State.FAILED) endChildren(d, next, r.state === State.KILLED ? State.KILLED : State.FAILED);
  if (r.state === State.FAILED && r.error && !d.killing && next.state.current !== State.KILLING) {
    // The group itself failed (its files could not be prepared or kept): the run fails with that error.
    failAndNotify(d, { ...next, error: cleanError(r.error) }, r.error);
    return;
  }
  d.enqueue(run.id);
}

/** The worker's first report about a child the current attempt planned: its run, CREATED with attempt `attempt`. */
function adopt(d: Draft, run: TaskRun, childRunId: string, attempt: number, skipped: boolean): TaskRun | undefined {
  const taskId = internalOf<Record<string, string>>(run, PLANNED)?.[childRunId];
  if (taskId === undefined || attempt !== 0 || !groupActive(run) || isTerminal(run.state.current)) return undefined;
  const e = d.execution;
  const child: TaskRun = {
    id: childRunId, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId, parentTaskRunId: run.id,
    attempts: skipped ? [] : [newAttempt(d.now)], state: newRecord(State.CREATED, d.now),
  };
  // As Kestra's runIf: a skipped run has no attempt.
  d.add(skipped ? runState(child, State.SKIPPED, d.now) : child);
  return child;
}

function evaluate(d: Draft, run: TaskRun, task: Task): void {
  if (isTerminal(run.state.current) || groupActive(run)) return;
  const killing = d.killing || run.state.current === State.KILLING;
  // `main` is empty: the worker made the children's runs; only `errors` and `finally` are created here.
  const state = evaluateBranches(d, run.id, { main: [], errors: task.errors as Task[] | undefined, finally: task.finally as Task[] | undefined }, killing);
  if (state) conclude(d, d.run(run.id) ?? run, state);
}

export const workingDirectory: FlowableBehaviour = {
  info: workingDirectoryInfo,
  // The folder is gone once the group ended: a replay from any child runs the whole group again.
  replaysWhole: true,
  group: { started: onGroupStarted, result: onGroupResult, adopt, ranInGroup: (run, id) => internalOf<Record<string, string>>(run, PLANNED)?.[id] !== undefined },
  start(d, run, task) {
    const next = startRunning(d, run);
    d.update(next);
    dispatchGroup(d, next, task);
  },
  evaluate,
  kill(d, run) {
    const a = lastAttempt(run);
    const attempt = run.attempts.length - 1;
    if (a && !isTerminal(a.state.current)) {
      // The worker stops the child it runs and reports the group KILLED; an attempt not yet started ends now.
      d.emit({ type: EffectType.StopWorkerTask, executionId: run.executionId, taskRunId: run.id, attempt });
      if (a.state.current === State.CREATED) run = withLastAttempt(run, (x) => endAttempt(x, State.KILLED, d.now, run));
    }
    d.update(runState(run, State.KILLING, d.now));
  },
};
