// The flow-level branch (the flow's `tasks` and `errors`) and the end of the execution: its final
// state, its error, the subflow outputs it owes its parent, and exactly one ExecutionEnded.
import { EffectType, type EffectOf } from '../model/effects';
import { ErrorCode } from '../model/errors';
import { State, isTerminal } from '../model/states';
import { evaluateBranches, idsOf, listChildren, nextInTurn, type Branches } from './container';
import type { Draft } from './draft';
import { firstError } from './final-state';
import { isManualPause } from './flowables/pause';
import { renderProperty } from './render';
import { renderFlowOutputs } from './flow-outputs';
import { cleanError, type ErrorData } from './state-ops';

export function evaluateRoot(d: Draft): void {
  const s = d.state;
  // CREATED and RESTARTED wait for ExecutionCreated or a concurrency slot; QUEUED for a slot.
  if (isTerminal(s) || s === State.CREATED || s === State.RESTARTED || s === State.QUEUED) return;
  const after = d.flow.afterExecution ? listChildren(d.flow.afterExecution) : undefined;
  // Set after the literal rather than spread into it: this runs at every step.
  const branches: Branches = { main: listChildren(d.flow.tasks), errors: d.flow.errors };
  if (d.flow.finally) branches.finally = d.flow.finally;
  if (after) branches.ignore = idsOf(after);
  const state = evaluateBranches(d, undefined, branches, d.killing);
  if (!state) return;
  if (after && state !== State.KILLED && afterExecutionWaits(d, after, state)) return;
  finishExecution(d, state);
}

/**
 * Kestra 1.x `afterExecution`: once the state is settled, its tasks run one after the other whatever
 * they end in, reading `execution.state`; the execution then ends in that state. Aloft holds the end
 * (and ExecutionEnded) until they ran, where Kestra ends first; a killed execution skips them.
 */
function afterExecutionWaits(d: Draft, after: ReturnType<typeof listChildren>, state: State): boolean {
  if (d.execution.ending !== state) d.patch({ ending: state });
  const ids = idsOf(after);
  return nextInTurn(d, undefined, after, d.children(undefined).filter((r) => ids.has(r.taskId))) === 'waiting';
}

export interface FinishOptions {
  /** Refused by the flow's concurrency limit: nothing ran, so no outputs, and no slot to give back. */
  refused?: boolean;
}

/** Ends the execution in `branch`'s state (flow outputs may still fail it) and tells whoever waits. */
export function finishExecution(d: Draft, branch: State, opts: FinishOptions = {}): void {
  let state = branch;
  let outputsError: ErrorData | undefined;
  if (d.flow.outputs && state !== State.KILLED && !opts.refused) {
    const rendered = renderFlowOutputs(d);
    if ('error' in rendered) {
      state = State.FAILED;
      outputsError = rendered.error;
    } else d.patch({ outputs: rendered.outputs });
  }
  d.setState(state);
  if (d.execution.ending !== undefined) d.patch({ ending: undefined });
  const error = state === State.FAILED || state === State.KILLED ? firstError(d.runs) ?? outputsError : undefined;
  if (error) d.patch({ error });
  const e = d.execution;
  const ended: EffectOf<'ExecutionEnded'> = {
    type: EffectType.ExecutionEnded, executionId: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: e.flowRevision, state,
  };
  if (e.parent) {
    ended.parentExecutionId = e.parent.executionId;
    ended.parentTaskRunId = e.parent.taskRunId;
    if (e.parent.outputsUri) ended.outputsUri = e.parent.outputsUri;
    if (e.parent.outputsTemplate) {
      const site = { now: d.now, vars: d.variables(undefined), flow: `${e.parent.namespace}.${e.parent.flowId}`, task: '' };
      const rendered = renderProperty(site, 'outputs', e.parent.outputsTemplate);
      if (rendered.ok && rendered.value && typeof rendered.value === 'object' && !Array.isArray(rendered.value)) {
        ended.outputs = rendered.value as Record<string, unknown>;
      } else {
        const err = rendered.ok ? { code: ErrorCode.EXPRESSION, message: 'outputs must render to a map' } : rendered.error;
        ended.outputsError = cleanError({
          ...err,
          message: `subflow ${d.fx.key} (execution ${e.id}) ended ${state} but its outputs could not be rendered: ${err.message}`,
          task: undefined,
        });
      }
    } else if (e.outputs) {
      // Kestra 1.x: without outputs of its own, a Subflow task's outputs are the child flow's outputs.
      ended.outputs = e.outputs;
    }
  }
  d.emit(ended);
  // Its concurrency slot (or its place in the queue) goes to the next execution of the flow.
  if (e.slotClaim && !opts.refused) {
    d.emit({ type: EffectType.ReleaseConcurrencySlot, executionId: e.id, namespace: e.namespace, flowId: e.flowId, claimId: e.slotClaim });
  }
}

/** After a step: the execution shows PAUSED while a Pause waits for a person, RUNNING otherwise. */
export function settlePause(d: Draft): void {
  if (!d.pauseTouched) return;
  const s = d.state;
  // A RETRYING execution stays so until its retry (dispatchAttempt), which settles it again.
  if (s !== State.RUNNING && s !== State.PAUSED) return;
  const waiting = d.runs.some(isManualPause);
  d.setState(waiting ? State.PAUSED : State.RUNNING);
}
