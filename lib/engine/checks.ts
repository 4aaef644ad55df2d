// A flow's `checks` (Kestra 1.2): conditions on the inputs, rendered before an execution a person
// starts is created (Kestra's ExecutionController; triggers, subflows and replays skip them). A check
// holds when its condition renders the boolean true. Of the failed checks' behaviors the strictest
// applies: BLOCK_EXECUTION (no execution), then FAIL_EXECUTION (created, and ended FAILED by its
// first step with nothing run), then CREATE_EXECUTION (runs as usual).
import { ErrorCode, type AloftErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import { CheckBehavior, CheckStyle, flowKey, type Flow, type FlowCheck } from '../model/flow';
import { State } from '../model/states';
import { renderProperty } from './render';

const STRICTNESS: Readonly<Record<CheckBehavior, number>> = { BLOCK_EXECUTION: 3, FAIL_EXECUTION: 2, CREATE_EXECUTION: 1 };

/** The checks whose condition is not true; one that cannot be rendered blocks, saying why (as Kestra). */
export function failedChecks(flow: Flow, inputs: Record<string, unknown>, now: Date): FlowCheck[] {
  if (!flow.checks) return [];
  const site = { now, vars: { flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision ?? 1 }, inputs }, flow: flowKey(flow.namespace, flow.id), task: '' };
  const failed: FlowCheck[] = [];
  flow.checks.forEach((check, i) => {
    const rendered = renderProperty(site, `checks[${i}].condition`, check.condition);
    if (!rendered.ok) {
      failed.push({
        condition: check.condition, message: `Failed to evaluate check condition. Cause: ${rendered.error.message}`,
        style: CheckStyle.ERROR, behavior: CheckBehavior.BLOCK_EXECUTION,
      });
    } else if (rendered.value !== true) failed.push(check);
  });
  return failed;
}

/** The strictest behavior of the failed checks; undefined when none failed. */
export function checksBehavior(failed: readonly FlowCheck[]): CheckBehavior | undefined {
  let worst: CheckBehavior | undefined;
  for (const c of failed) if (!worst || STRICTNESS[c.behavior] > STRICTNESS[worst]) worst = c.behavior;
  return worst;
}

/** What a person starting the flow is told, or what the execution records, for failed checks. */
export function checksError(flow: Flow, failed: readonly FlowCheck[], behavior: CheckBehavior): AloftErrorData {
  const head = behavior === CheckBehavior.BLOCK_EXECUTION
    ? 'Flow execution blocked: one or more condition checks evaluated to false.'
    : 'Flow execution failed because one or more condition checks evaluated to false.';
  return { code: ErrorCode.CHECK_FAILED, message: `${head}\nFailed checks: ${failed.map((c) => c.message).join(', ')}`, flow: flowKey(flow.namespace, flow.id) };
}

/** True for an execution created FAILED by its checks: its first step ends it so, having run nothing. */
export const createdFailedByChecks = (e: Pick<Execution, 'state' | 'error'>): boolean =>
  e.state.current === State.CREATED && e.error?.code === ErrorCode.CHECK_FAILED;
