// Kestra 1.x `runIf`: rendered when the run is about to start; a falsy result ends it SKIPPED with
// no attempt and no children, and a rendering error fails it. Falsy is Kestra's TruthUtils:
// 'false', '0', '-0' and ''.
import type { TaskRun } from '../model/execution';
import { FALSY_TEXTS, type Task } from '../model/flow';
import { State } from '../model/states';
import type { Draft } from './draft';
import { renderText } from './render';
import { failRun, runState } from './state-ops';

/** True when `runIf` settled the run (SKIPPED, or FAILED on a bad template): it must not start. */
export function settledByRunIf(d: Draft, run: TaskRun, task: Task): boolean {
  const runIf = task.runIf;
  if (runIf === undefined || runIf === true) return false;
  let text: string;
  if (typeof runIf === 'boolean') text = String(runIf);
  else {
    const rendered = renderText(d.renderSite(run), 'runIf', runIf);
    if (!rendered.ok) {
      d.update(failRun(run, rendered.error, d.now));
      d.enqueue(run.parentTaskRunId);
      return true;
    }
    text = rendered.value;
  }
  if (!FALSY_TEXTS.includes(text.trim())) return false;
  d.update(runState(run, State.SKIPPED, d.now));
  d.enqueue(run.parentTaskRunId);
  return true;
}
