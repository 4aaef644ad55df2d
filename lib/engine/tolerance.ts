// Kestra 1.x `allowFailure` and `allowWarning` on any task: the run's own final state, once its
// retries are spent (runnables) or its branches concluded (flowables). FAILED becomes WARNING (or
// SUCCESS with allowWarning too), WARNING becomes SUCCESS with allowWarning. KILLED is never excused.
import type { Task } from '../model/flow';
import { State } from '../model/states';

export function tolerated(state: State, task: Pick<Task, 'allowFailure' | 'allowWarning'> | undefined): State {
  if (!task) return state;
  let out = state;
  if (out === State.FAILED && task.allowFailure === true) out = State.WARNING;
  if (out === State.WARNING && task.allowWarning === true) out = State.SUCCESS;
  return out;
}
