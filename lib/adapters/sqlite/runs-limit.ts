// An execution's task runs go to its `executions` row as one JSON string, and V8 builds no string
// longer than 2^29 - 24 characters. An ended execution whose runs are longer is written FAILED with
// PAYLOAD_TOO_LARGE, its runs without their outputs (or none, if even those do not fit): its commit
// would otherwise fail, with every later write of the data directory, again after every restart.
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution, TaskRun } from '../../model/execution';
import { State, withState } from '../../model/states';

/** V8's longest string, in UTF-16 code units. */
export const MAX_RUNS_CHARS = 2 ** 29 - 24;

/** The task runs' JSON, or undefined when it is longer than `limit` (or than V8 can build). */
export function runsJsonWithin(runs: readonly TaskRun[], limit: number): string | undefined {
  let json: string;
  try {
    json = JSON.stringify(runs);
  } catch (err) {
    // V8's own words for a string over its limit; another RangeError (a stack overflow) is a fault.
    if (err instanceof RangeError && err.message === 'Invalid string length') return undefined;
    throw err;
  }
  return json.length > limit ? undefined : json;
}

/** An ended execution whose task runs' JSON is over `limit`, as its row keeps it: FAILED, the error saying why, and that JSON. */
export function failedTooLarge(execution: Execution, limit: number, now: Date): { execution: Execution; runs: string } {
  let taskRunList = execution.taskRunList.map(({ outputs: _outputs, ...run }): TaskRun => run);
  let runs = runsJsonWithin(taskRunList, limit);
  if (runs === undefined) {
    taskRunList = [];
    runs = '[]';
  }
  const flow = `${execution.namespace}.${execution.flowId}`;
  const error = new AloftError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `execution ${execution.id} of flow ${flow} ended ${execution.state.current}, but its ${execution.taskRunList.length} task runs are more than ` +
      `the ${limit} characters of JSON the SQLite store holds for one execution: it is stored FAILED, ` +
      (taskRunList.length > 0 ? 'its task runs without their outputs' : 'without its task runs (even without their outputs they do not fit)') +
      (execution.error ? `; it had ended with ${execution.error.code}: ${execution.error.message}` : ''),
    { flow },
    'large values belong in internal storage: write them to a kestra:/// file and pass its URI, or run the items in subflows (ForEachItem)',
  ).toJSON();
  const state = execution.state.current === State.FAILED ? execution.state : withState(execution.state, State.FAILED, now);
  return { execution: { ...execution, state, error, taskRunList }, runs };
}
