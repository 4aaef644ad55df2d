// Functions about the running execution: errorLogs() (its ERROR log lines, read by the caller
// beforehand) and currentEachOutput(outputs.t) (the output of a task of the current loop iteration).
import type { FunctionDef } from './callables';
import { hardFailure } from './failure';
import { isMap } from './values';

const loopValue = (v: unknown): string | undefined => {
  const taskrun = isMap(v) ? v.taskrun : undefined;
  const value = isMap(taskrun) ? taskrun.value : undefined;
  return typeof value === 'string' ? value : undefined;
};

export const EXECUTION_FUNCTIONS: Readonly<Record<string, FunctionDef>> = {
  // Kestra's errorLogs(): usually in an `errors` branch or a notification, to quote what failed.
  errorLogs: {
    params: [],
    apply(_args, cx) {
      if (!cx.errorLogs) throw hardFailure('errorLogs() works in the properties of tasks, where the execution\'s logs can be read');
      return cx.errorLogs;
    },
  },
  // Kestra's currentEachOutput(outputs.t): outputs of a task inside loops are keyed by the loop values
  // (`outputs.t['a']['x']`); this follows the current iteration's values, outermost loop first.
  currentEachOutput: {
    params: ['outputs'],
    apply([outputs], cx) {
      const vars = cx.variables?.() ?? {};
      const parents = Array.isArray(vars.parents) ? vars.parents : [];
      const values = [...parents].reverse().map(loopValue);
      values.push(loopValue(vars));
      let at: unknown = outputs;
      for (const value of values) {
        if (value === undefined) continue;
        if (!isMap(at) || !Object.hasOwn(at, value)) {
          throw hardFailure(`currentEachOutput(): the outputs have no entry for the loop value '${value}'`);
        }
        at = at[value];
      }
      return at ?? null;
    },
  },
};
