// Restart of a FAILED or KILLED execution, in place (Kestra's restart): the runs that failed
// (FAILED/KILLED with no failed child) go RESTARTED and run again, a runnable with a new attempt;
// their flowable ancestors go RESTARTED then RUNNING and carry on; `errors` branch runs are removed
// so they can run again. History keeps every earlier state. Also used to continue a replay.
import type { TaskRun } from '../model/execution';
import { State, isFailed, isTerminal } from '../model/states';
import { startRun } from './dispatch';
import type { Draft } from './draft';
import { ATTEMPT_BASE, LOST_ATTEMPTS } from './retry';
import { ROOT } from './run-index';
import { runStates, withInternal, withoutKeys } from './state-ops';

/** `proceed` carries on from RESTARTED: at once, or once the flow's concurrency gave a slot. */
export function restart(d: Draft, proceed: (d: Draft) => void = continueRestarted): void {
  const state = d.state;
  if (state !== State.FAILED && state !== State.KILLED) return;
  const kept = d.runs.filter((r) => !d.node(r.taskId)?.underErrors);
  d.replaceAll(resetFailed(d, kept));
  d.setState(State.RESTARTED);
  d.patch({ error: undefined, outputs: undefined });
  proceed(d);
}

/** Marks the failed runs of `list` (and their ancestors) for a new round; drops what a failed flowable had under it. */
export function resetFailed(d: Draft, list: readonly TaskRun[], isTarget: (r: TaskRun) => boolean = (r) => isFailed(r.state.current)): TaskRun[] {
  const byId = new Map(list.map((r) => [r.id, r]));
  // A run inside a group attempt (WorkingDirectory) cannot run again alone: its folder is gone, so the group runs again whole.
  const targets = [...new Set(list.filter(isTarget).map((r) => groupOf(d, r, byId) ?? r))];
  const failedChild = new Set<string>();
  for (const r of targets) if (r.parentTaskRunId) failedChild.add(r.parentTaskRunId);
  // Roots: targets with no target below them. Their ancestors resume; a flowable root starts over.
  const roots = new Set(targets.filter((r) => !failedChild.has(r.id)).map((r) => r.id));
  const ancestors = new Set<string>();
  for (const id of roots) {
    let parent = byId.get(id)?.parentTaskRunId;
    while (parent && !ancestors.has(parent)) {
      ancestors.add(parent);
      parent = byId.get(parent)?.parentTaskRunId;
    }
  }
  const restartedFlowables = new Set([...roots].filter((id) => d.node(byId.get(id)!.taskId)?.flowable));
  const out: TaskRun[] = [];
  for (const r of list) {
    if (hasAncestorIn(r, restartedFlowables, byId)) continue;
    if (roots.has(r.id)) out.push(restartedRun(d, r));
    else if (ancestors.has(r.id)) out.push(runStates(withoutKeys(r, 'error'), [State.RESTARTED, State.RUNNING], d.now));
    else out.push(r);
  }
  return out;
}

/** The outermost group-attempt run (WorkingDirectory) above `run`, if any. */
function groupOf(d: Pick<Draft, 'node'>, run: TaskRun, byId: ReadonlyMap<string, TaskRun>): TaskRun | undefined {
  let found: TaskRun | undefined;
  for (let parent = run.parentTaskRunId ? byId.get(run.parentTaskRunId) : undefined; parent; parent = parent.parentTaskRunId ? byId.get(parent.parentTaskRunId) : undefined) {
    if (d.node(parent.taskId)?.flowable?.group) found = parent;
  }
  return found;
}

function hasAncestorIn(run: TaskRun, ids: ReadonlySet<string>, byId: ReadonlyMap<string, TaskRun>): boolean {
  let parent = run.parentTaskRunId;
  while (parent) {
    if (ids.has(parent)) return true;
    parent = byId.get(parent)?.parentTaskRunId;
  }
  return false;
}

/** A run that will run again: RESTARTED, without the last round's outputs and error. */
export function restartedRun(d: Pick<Draft, 'now' | 'node'>, run: TaskRun): TaskRun {
  const clean = withoutKeys(run, 'error', 'outputs');
  const next = runStates(clean, [State.RESTARTED], d.now);
  return d.node(run.taskId)?.flowable ? next : withInternal(next, { [ATTEMPT_BASE]: run.attempts.length, [LOST_ATTEMPTS]: undefined });
}

/** RESTARTED execution -> RUNNING: start every RESTARTED run again and re-evaluate the running flowables. */
export function continueRestarted(d: Draft): void {
  d.setState(State.RUNNING);
  for (const run of d.runs.slice()) {
    if (run.state.current === State.RESTARTED) {
      const task = d.task(run.taskId);
      if (task) startRun(d, run, task);
    } else if (!isTerminal(run.state.current) && d.node(run.taskId)?.flowable) d.enqueue(run.id);
  }
  d.enqueue(ROOT);
}
