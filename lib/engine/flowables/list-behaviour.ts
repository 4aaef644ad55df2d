// The behaviour shared by flowables that run lists of tasks: go RUNNING, prepare (render what the
// type needs and keep it in `internal`), then evaluate the branches until they conclude.
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { State, isTerminal } from '../../model/states';
import { evaluateBranches, type Branches } from '../container';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { runStates, type ErrorData } from '../state-ops';
import { tolerated } from '../tolerance';
import type { FlowableBehaviour } from './behaviour';

export type Prepared = { internal?: Record<string, unknown>; outputs?: Record<string, unknown> } | { error: ErrorData };

export interface ListSpec {
  /** Children run side by side (Parallel, EachParallel). */
  parallel?: boolean;
  /** Renders what the run needs once, at start (loop values, the chosen case). */
  prepare?(d: Draft, run: TaskRun, task: Task): Prepared;
  branches(run: TaskRun, task: Task): Branches;
}

/** CREATED/RESTARTED -> RUNNING, with a fresh `internal` and no leftover outputs or error. */
export function startRunning(d: Draft, run: TaskRun): TaskRun {
  const { internal: _i, outputs: _o, error: _e, ...rest } = run;
  const path = run.state.current === State.RUNNING ? [] : [State.RUNNING];
  return runStates(rest as TaskRun, path, d.now);
}

/** Concludes a flowable run in `state` (as its allowFailure/allowWarning have it) and tells its container. */
export function conclude(d: Draft, run: TaskRun, state: State): void {
  d.update(runStates(run, [tolerated(state, d.task(run.taskId))], d.now));
  d.enqueue(run.parentTaskRunId);
}

export function listBehaviour(info: TaskTypeInfo, spec: ListSpec): FlowableBehaviour {
  const evaluate = (d: Draft, run: TaskRun, task: Task): void => {
    if (isTerminal(run.state.current) || run.state.current === State.PAUSED) return;
    const killing = d.killing || run.state.current === State.KILLING;
    const branches = spec.branches(run, task);
    const state = evaluateBranches(d, run.id, task.finally ? { ...branches, finally: task.finally as Task[] } : branches, killing);
    // Creating children may have changed this run's record (never its state); re-read it.
    if (state) conclude(d, d.run(run.id) ?? run, state);
  };
  return {
    info,
    ...(spec.parallel ? { parallel: true } : {}),
    start(d, run, task) {
      let next = startRunning(d, run);
      const prepared = spec.prepare?.(d, next, task);
      if (prepared && 'error' in prepared) {
        d.update(next);
        failAndNotify(d, next, prepared.error);
        return;
      }
      if (prepared?.internal) next = { ...next, internal: prepared.internal };
      if (prepared?.outputs) next = { ...next, outputs: prepared.outputs };
      d.update(next);
      evaluate(d, next, task);
    },
    evaluate,
  };
}
