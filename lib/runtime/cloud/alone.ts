// Which dispatched attempt runs alone: when a pass leaves exactly one attempt of its execution in
// flight and dispatches that very attempt, its result can only meet events that nothing else of the
// execution produces (a kill, a resume), so the cloud executor folds it without the execution lease:
// one transaction instead of lease, query, transaction, release and query. Parallel branches, and
// anything started while another attempt runs, keep the lease, which is what keeps a fan-in calm.
import { EffectType, type Effect } from '../../model/effects';
import type { Execution } from '../../model/execution';
import { isTerminal } from '../../model/states';

/** Attempts of the execution not yet ended (only worker task runs have attempts). */
function attemptsInFlight(execution: Execution): string[] {
  const ids: string[] = [];
  for (const run of execution.taskRunList) {
    const last = run.attempts[run.attempts.length - 1];
    if (last && !isTerminal(last.state.current)) ids.push(run.id);
  }
  return ids;
}

/** The effects, with `alone` set on the one dispatched attempt that is the execution's only one in flight (the same array when none is). */
export function markAlone(execution: Execution, effects: Effect[]): Effect[] {
  let dispatch = -1;
  for (let i = 0; i < effects.length; i++) {
    if (effects[i].type !== EffectType.DispatchWorkerTask) continue;
    if (dispatch >= 0) return effects;
    dispatch = i;
  }
  if (dispatch < 0) return effects;
  const effect = effects[dispatch] as Extract<Effect, { type: 'DispatchWorkerTask' }>;
  const inFlight = attemptsInFlight(execution);
  if (inFlight.length !== 1 || inFlight[0] !== effect.workerTask.taskRunId) return effects;
  const out = [...effects];
  out[dispatch] = { ...effect, workerTask: { ...effect.workerTask, alone: true } };
  return out;
}
