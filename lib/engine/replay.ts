// Replay: a NEW execution copied from an existing one that runs again from one task run. That run
// and everything after it start again; earlier runs keep their states and outputs. "After" follows
// the flow's shape: later siblings in sequential containers (the flow itself, Sequential, Each-
// Sequential, Switch, AllowFailure, Pause), the `errors` branches, and the run's own children;
// parallel siblings are not after it. Every kept run gets a new id.
import { AloftError, ErrorCode } from '../model/errors';
import type { Execution, TaskRun } from '../model/execution';
import type { Flow } from '../model/flow';
import { State, isTerminal } from '../model/states';
import type { Ids } from '../ports/system';
import { flowIndex } from './flow-index';
import { restartedRun } from './restart';
import { recordState, runStates, withoutKeys } from './state-ops';

/**
 * Returns the new execution in state RESTARTED (version 0). Save it and feed it ExecutionCreated:
 * the step then re-runs the restarted runs and carries on.
 */
export function replay(execution: Execution, flow: Flow, fromTaskRunId: string, newId: string, now: Date, ids: Ids): Execution {
  const fx = flowIndex(flow);
  const list = execution.taskRunList;
  const byId = new Map(list.map((r) => [r.id, r]));
  let target = byId.get(fromTaskRunId);
  if (!target) throw new AloftError(ErrorCode.NOT_FOUND, `task run ${fromTaskRunId} is not in execution ${execution.id}`);
  // Inside a container that cannot resume halfway (LoopUntil), the replay starts from the container.
  for (let up = target; up.parentTaskRunId;) {
    const parent = byId.get(up.parentTaskRunId);
    if (!parent) break;
    if (fx.nodes.get(parent.taskId)?.flowable?.replaysWhole) target = parent;
    up = parent;
  }

  const order = new Map(list.map((r, i) => [r.id, i]));
  const removed = new Set<string>();
  const ancestors = new Set<string>();
  for (let level: TaskRun | undefined = target; level; level = level.parentTaskRunId ? byId.get(level.parentTaskRunId) : undefined) {
    if (level !== target) ancestors.add(level.id);
    const container = level.parentTaskRunId ? byId.get(level.parentTaskRunId) : undefined;
    const containerNode = container ? fx.nodes.get(container.taskId) : undefined;
    const sequential = !containerNode?.flowable?.parallel;
    const successors = containerNode?.flowable?.successors?.(containerNode.task, level.taskId);
    for (const sibling of list) {
      if (sibling.parentTaskRunId !== level.parentTaskRunId || sibling.id === level.id) continue;
      const isErrors = fx.nodes.get(sibling.taskId)?.inErrors ?? false;
      const after = successors ? successors.has(sibling.taskId) : sequential && order.get(sibling.id)! > order.get(level.id)!;
      if (isErrors || after) removed.add(sibling.id);
    }
  }
  removed.add(target.id); // Its children go; the target itself is re-added below.
  const isRemoved = (r: TaskRun): boolean => {
    for (let p: string | undefined = r.parentTaskRunId; p; p = byId.get(p)?.parentTaskRunId) if (removed.has(p)) return true;
    return r.id !== target.id && removed.has(r.id);
  };

  const newIds = new Map<string, string>();
  const kept = list.filter((r) => !isRemoved(r));
  for (const r of kept) newIds.set(r.id, ids.next());
  const site = { now, node: (taskId: string) => fx.nodes.get(taskId) };
  const taskRunList = kept.map((r) => {
    let run: TaskRun = r;
    if (r.id === target.id) run = restartedRun(site, r);
    else if (ancestors.has(r.id)) run = runStates(withoutKeys(r, 'error'), [State.RESTARTED, State.RUNNING], now);
    // Still active in the original (a replay of a running execution): run it again too.
    else if (!isTerminal(r.state.current) && !fx.nodes.get(r.taskId)?.flowable) run = restartedRun(site, r);
    const parent = run.parentTaskRunId ? newIds.get(run.parentTaskRunId) : undefined;
    return { ...run, id: newIds.get(r.id)!, executionId: newId, ...(parent ? { parentTaskRunId: parent } : {}) };
  });

  const { parent: _p, outputs: _o, error: _e, ...header } = execution;
  return {
    ...header,
    id: newId,
    originalId: execution.originalId ?? execution.id,
    state: recordState(execution.state, State.RESTARTED, now, execution),
    taskRunList,
    version: 0,
  };
}
