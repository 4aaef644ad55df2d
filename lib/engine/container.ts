// The shared logic of flowables that hold task lists (Sequential, Parallel, Switch, Each*,
// AllowFailure, Pause) and of the flow itself: which children to create next, and when the branch
// is over. Kestra's rules, with one deliberate difference: a branch concludes only once none of
// its children is still active, so no run is left running inside an ended execution.
import type { TaskRun } from '../model/execution';
import type { Task } from '../model/flow';
import { State, isTerminal } from '../model/states';
import { createRun } from './dispatch';
import type { Draft } from './draft';
import { branchState } from './final-state';
import { enabled } from './task-list';
import { isFailure } from './state-ops';

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
  /** Undefined: one child after the other. A number: in parallel, at most that many at once (0 = no limit). */
  concurrent?: number;
  allowFailure?: boolean;
}

const keyOf = (taskId: string, value: string | undefined): string => (value === undefined ? taskId : `${taskId}\u0001${value}`);

/**
 * Creates the next children of `parentRunId` (undefined for the flow) and returns the branch's final
 * state once it is over, else undefined. While killing nothing new is created and the result is KILLED.
 */
export function evaluateBranches(d: Draft, parentRunId: string | undefined, b: Branches, killing: boolean): State | undefined {
  const children = d.children(parentRunId);
  const errors = enabled(b.errors);
  const errorIds = new Set(errors.map((t) => t.id));
  const mainRuns: TaskRun[] = [];
  const errorRuns: TaskRun[] = [];
  let active = false;
  let failed = false;
  for (const run of children) {
    if (errorIds.has(run.taskId)) errorRuns.push(run);
    else {
      mainRuns.push(run);
      if (isFailure(run.state.current)) failed = true;
    }
    if (!isTerminal(run.state.current)) active = true;
  }
  if (killing) return active ? undefined : State.KILLED;

  const inErrors = failed || errorRuns.length > 0;
  const current: readonly ResolvedChild[] = inErrors ? errors.map((task) => ({ task })) : b.main;
  const currentRuns = inErrors ? errorRuns : mainRuns;
  const created = new Set<string>();
  for (const run of currentRuns) created.add(keyOf(run.taskId, run.value));
  const missing = current.filter((c) => !created.has(keyOf(c.task.id, c.value)));

  if (missing.length > 0) {
    if (b.concurrent === undefined) {
      // Sequential: the next task starts once every earlier one ended.
      if (!currentRuns.some((r) => !isTerminal(r.state.current))) {
        createRun(d, missing[0].task, parentRunId, missing[0].value);
        return undefined;
      }
    } else {
      const running = currentRuns.reduce((n, r) => n + (isTerminal(r.state.current) ? 0 : 1), 0);
      const room = b.concurrent > 0 ? Math.max(0, b.concurrent - running) : missing.length;
      const batch = missing.slice(0, room);
      for (const c of batch) createRun(d, c.task, parentRunId, c.value);
      if (batch.length > 0) return undefined;
    }
  }
  if (active || missing.length > 0) return undefined;
  return branchState(mainRuns, b.allowFailure);
}
