// How a finished branch (a flowable's children, or the flow's tasks) turns into one state.
import type { TaskRun } from '../model/execution';
import { State, worstState } from '../model/states';
import type { ErrorData } from './state-ops';

/**
 * The worst state of a branch's main runs (KILLED > FAILED > WARNING > PAUSED > SUCCESS), as
 * Kestra's guessFinalState: the `errors` branch never changes it, so a flow whose errors branch ran
 * still ends FAILED. `allowFailure` turns FAILED into WARNING.
 */
export function branchState(mainRuns: readonly TaskRun[], allowFailure = false): State {
  const worst = worstState(mainRuns.map((r) => r.state.current));
  return allowFailure && worst === State.FAILED ? State.WARNING : worst;
}

/** The first error among failed runs, in creation order: what a failed execution reports. */
export function firstError(list: readonly TaskRun[]): ErrorData | undefined {
  for (const run of list) if (run.error && (run.state.current === State.FAILED || run.state.current === State.KILLED)) return run.error;
  return undefined;
}
