// The shared logic of flowables that hold task lists (Sequential, Parallel, Switch, Each*,
// AllowFailure, Pause) and of the flow itself: which children to create next, and when the branch
// is over. Kestra's rules, with one deliberate difference: a branch concludes only once none of
// its children is still active, so no run is left running inside an ended execution.
import type { TaskRun } from '../model/execution';
import type { Task } from '../model/flow';
import { State, isFailed, isTerminal } from '../model/states';
import { createRun } from './dispatch';
import type { Draft } from './draft';
import { branchState } from './final-state';
import { enabled } from './task-list';

/** One child to run: a task, with the loop value for direct children of Each tasks. */
export interface ResolvedChild {
  task: Task;
  value?: string;
}

export interface Branches {
  /** The main children, in order (disabled tasks already removed). */
  main: readonly ResolvedChild[];
  /** The `errors` tasks (disabled ones are removed here). */
  errors: readonly Task[] | null | undefined;
  /**
   * Kestra 1.x `finally`: run one after the other once the main tasks (and `errors`, after a failure)
   * ended, whatever their outcome; they never change the branch's state. Not run while killing.
   */
  finally?: readonly Task[] | null;
  /** Undefined: one child after the other. A number: in parallel, at most that many at once (0 = no limit). */
  concurrent?: number;
  /**
   * ForEach: the main children form one group per loop value, each group's tasks run one after the
   * other, and at most this many groups are under way at once (0 = no limit). Overrides `concurrent`.
   */
  groups?: number;
  /** Dag: with `concurrent`, a main child starts only once every task it depends on (by id) ended. */
  dependsOn?: ReadonlyMap<string, readonly string[]>;
  /** The flow's `afterExecution` task ids: their runs sit at flow level but belong to no branch. */
  ignore?: ReadonlySet<string>;
  /** LoopUntil: only the children created from this position on (the current iteration) count. */
  since?: number;
  allowFailure?: boolean;
}

// Task lists never change during a flow's life: resolve each one once.
const resolvedLists = new WeakMap<readonly Task[], readonly ResolvedChild[]>();
const NONE: readonly ResolvedChild[] = [];

/** The enabled tasks of a static list as children (cached per list). */
export function listChildren(list: readonly Task[] | null | undefined): readonly ResolvedChild[] {
  if (!list) return NONE;
  let out = resolvedLists.get(list);
  if (!out) {
    out = enabled(list).map((task) => ({ task }));
    resolvedLists.set(list, out);
  }
  return out;
}

const errorIdSets = new WeakMap<readonly ResolvedChild[], ReadonlySet<string>>();
export function idsOf(children: readonly ResolvedChild[]): ReadonlySet<string> {
  let ids = errorIdSets.get(children);
  if (!ids) {
    ids = new Set(children.map((c) => c.task.id));
    errorIdSets.set(children, ids);
  }
  return ids;
}

const sameChild = (run: TaskRun, c: ResolvedChild): boolean => run.taskId === c.task.id && run.value === c.value;
const keyOf = (taskId: string, value: string | undefined): string => (value === undefined ? taskId : `${taskId}\u0001${value}`);

/** Up to `limit` children of `wanted` that have no run yet, in order. */
function missingChildren(wanted: readonly ResolvedChild[], runs: readonly TaskRun[], limit: number): ResolvedChild[] {
  // Usual case: runs were created in list order, so they match a prefix of the list.
  let k = 0;
  while (k < runs.length && k < wanted.length && sameChild(runs[k], wanted[k])) k++;
  if (k === runs.length) return wanted.slice(k, k + limit);
  const created = new Set<string>();
  for (const run of runs) created.add(keyOf(run.taskId, run.value));
  const out: ResolvedChild[] = [];
  for (const c of wanted) {
    if (out.length >= limit) break;
    if (!created.has(keyOf(c.task.id, c.value))) out.push(c);
  }
  return out;
}

/**
 * Creates the next children of `parentRunId` (undefined for the flow) and returns the branch's final
 * state once it is over, else undefined. While killing nothing new is created and the result is KILLED.
 */
export function evaluateBranches(d: Draft, parentRunId: string | undefined, b: Branches, killing: boolean): State | undefined {
  const all = d.children(parentRunId);
  const since = b.since ? all.slice(b.since) : all;
  const ignore = b.ignore;
  const children = ignore ? since.filter((r) => !ignore.has(r.taskId)) : since;
  const errors = listChildren(b.errors);
  const errorIds = idsOf(errors);
  const finals = listChildren(b.finally);
  const finalIds = idsOf(finals);
  const split = errorIds.size > 0 || finalIds.size > 0;
  const mainRuns: TaskRun[] = split ? [] : children;
  const errorRuns: TaskRun[] = [];
  const finalRuns: TaskRun[] = [];
  let active = false;
  let failed = false;
  for (const run of children) {
    if (split) (finalIds.has(run.taskId) ? finalRuns : errorIds.has(run.taskId) ? errorRuns : mainRuns).push(run);
    if (!errorIds.has(run.taskId) && !finalIds.has(run.taskId) && isFailed(run.state.current)) failed = true;
    if (!isTerminal(run.state.current)) active = true;
  }
  if (killing) return active ? undefined : State.KILLED;
  if (finalRuns.length > 0) return nextFinally(d, parentRunId, finals, finalRuns, active) ? undefined : branchState(mainRuns, b.allowFailure);

  const inErrors = failed || errorRuns.length > 0;
  const current = inErrors ? errors : b.main;
  const currentRuns = inErrors ? errorRuns : mainRuns;
  const currentActive = currentRuns.reduce((n, r) => n + (isTerminal(r.state.current) ? 0 : 1), 0);

  if (b.groups !== undefined && !inErrors) {
    const batch = nextInGroups(current, currentRuns, b.groups);
    for (const c of batch) createRun(d, c.task, parentRunId, c.value);
    if (batch.length > 0) return undefined;
  } else if (b.concurrent === undefined) {
    // Sequential: the next task starts once every earlier one ended.
    if (currentActive === 0) {
      const [next] = missingChildren(current, currentRuns, 1);
      if (next) {
        createRun(d, next.task, parentRunId, next.value);
        return undefined;
      }
    }
  } else {
    const room = b.concurrent > 0 ? Math.max(0, b.concurrent - currentActive) : current.length;
    const candidates = b.dependsOn && !inErrors ? readyChildren(current, currentRuns, b.dependsOn) : current;
    const batch = room > 0 ? missingChildren(candidates, currentRuns, room) : [];
    for (const c of batch) createRun(d, c.task, parentRunId, c.value);
    if (batch.length > 0) return undefined;
  }
  if (active) return undefined;
  if (finals.length > 0 && nextFinally(d, parentRunId, finals, finalRuns, active) === 'waiting') return undefined;
  return branchState(mainRuns, b.allowFailure);
}

/** Starts the next `finally` task once the earlier ones ended: 'waiting' while one runs or was just created, else undefined (all ended). */
/** Runs `list` one task after the other under `parentRunId`: 'waiting' until each of them ran and ended. */
export function nextInTurn(d: Draft, parentRunId: string | undefined, list: readonly ResolvedChild[], runs: readonly TaskRun[]): 'waiting' | undefined {
  return nextFinally(d, parentRunId, list, runs, runs.some((r) => !isTerminal(r.state.current)));
}

function nextFinally(d: Draft, parentRunId: string | undefined, finals: readonly ResolvedChild[], runs: readonly TaskRun[], active: boolean): 'waiting' | undefined {
  if (active) return 'waiting';
  const [next] = missingChildren(finals, runs, 1);
  if (!next) return undefined;
  createRun(d, next.task, parentRunId, next.value);
  return 'waiting';
}

/**
 * The children to create next when `wanted` runs as groups by loop value (see Branches.groups): the
 * next task of each group under way whose previous task ended, then the first task of new groups
 * while fewer than `limit` groups are under way (0 = no limit). Groups start in value order.
 */
export function nextInGroups(wanted: readonly ResolvedChild[], runs: readonly TaskRun[], limit: number): ResolvedChild[] {
  const created = new Map<string, TaskRun>();
  for (const run of runs) created.set(keyOf(run.taskId, run.value), run);
  const out: ResolvedChild[] = [];
  const fresh: ResolvedChild[] = [];
  let underWay = 0;
  for (let i = 0; i < wanted.length;) {
    const value = wanted[i].value;
    let made = 0;
    let active = false;
    let next: ResolvedChild | undefined;
    const first = wanted[i];
    for (; i < wanted.length && wanted[i].value === value; i++) {
      const run = created.get(keyOf(wanted[i].task.id, value));
      if (!run) next ??= wanted[i];
      else {
        made++;
        if (!isTerminal(run.state.current)) active = true;
      }
    }
    if (made === 0) fresh.push(first);
    else if (active || next) {
      underWay++;
      if (!active && next) out.push(next);
    }
  }
  const room = limit > 0 ? Math.max(0, limit - underWay) : fresh.length;
  for (let k = 0; k < room && k < fresh.length; k++) out.push(fresh[k]);
  return out;
}

/**
 * The children of `wanted` whose dependencies all ended (in any state: a failure stops the branch
 * before this is asked). A dependency that is not in `wanted` (a disabled task) does not hold anyone back.
 */
export function readyChildren(wanted: readonly ResolvedChild[], runs: readonly TaskRun[], dependsOn: ReadonlyMap<string, readonly string[]>): ResolvedChild[] {
  const present = new Set(wanted.map((c) => c.task.id));
  const ended = new Set<string>();
  for (const run of runs) if (isTerminal(run.state.current)) ended.add(run.taskId);
  return wanted.filter((c) => (dependsOn.get(c.task.id) ?? []).every((id) => ended.has(id) || !present.has(id)));
}
