// Kill: the execution goes KILLING. Runs that have not started end KILLED at once; running
// attempts are asked to stop (their KILLED results end their runs); flowables go KILLING and end
// KILLED once their children ended; waiting subflows are killed too. The execution ends KILLED when
// nothing is active any more. A Kill of a terminal or already killing execution changes nothing.
import { EffectType } from '../model/effects';
import type { TaskRun } from '../model/execution';
import { State, isTerminal } from '../model/states';
import type { Draft } from './draft';
import { ROOT } from './run-index';
import { endAttempt, lastAttempt, runState, withLastAttempt } from './state-ops';

export function kill(d: Draft): void {
  if (d.isTerminal() || d.killing) return;
  d.setState(State.KILLING);
  const active = d.runs.filter((r) => !isTerminal(r.state.current));
  for (const run of active) {
    const node = d.node(run.taskId);
    if (node?.flowable) {
      if (node.flowable.kill) node.flowable.kill(d, run, node.task);
      else d.update(runState(run, State.KILLING, d.now));
      d.enqueue(run.id);
    } else killRunnable(d, run);
  }
  d.pauseTouched = true;
  d.enqueue(ROOT);
}

/** Ends a runnable's run KILLED, asking its worker to stop a running attempt. */
export function killRunnable(d: Draft, run: TaskRun): void {
  const a = lastAttempt(run);
  const attempt = run.attempts.length - 1;
  if (a && a.state.current === State.RUNNING) {
    // The worker reports KILLED (or its result, if it finished first) and that ends the run.
    d.update(runState(run, State.KILLING, d.now));
    d.emit({ type: EffectType.StopWorkerTask, executionId: run.executionId, taskRunId: run.id, attempt });
    return;
  }
  // Not started (or waiting for a retry): nothing runs, so it ends now. A queued attempt is still
  // told to stop, so a worker that picks it up late does not run it.
  let next = a && !isTerminal(a.state.current) ? withLastAttempt(run, (x) => endAttempt(x, State.KILLED, d.now, run)) : run;
  next = runState(next, State.KILLED, d.now);
  d.update(next);
  if (a && !isTerminal(a.state.current)) d.emit({ type: EffectType.StopWorkerTask, executionId: run.executionId, taskRunId: run.id, attempt });
  d.enqueue(run.parentTaskRunId);
}
