// A flow's `concurrency` (Kestra's Concurrency, checked by its executor when an execution starts):
// at most `limit` executions of the flow run at once. The engine cannot count them (it sees one
// execution), so a starting execution stays CREATED and claims a slot (ClaimConcurrencySlot); the
// store's transactional answer comes back as a ConcurrencySlot event:
//   RUNNING  it starts (CREATED or QUEUED -> RUNNING; a restarted one carries on);
//   QUEUED   it waits QUEUED until a slot frees (behavior QUEUE);
//   FULL     it ends CANCELLED (behavior CANCEL) or FAILED (behavior FAIL), having run nothing.
// An execution that claimed gives its slot back when it ends (ReleaseConcurrencySlot), which promotes
// the oldest waiting one. A kill while waiting ends it KILLED and withdraws the claim.
import { EffectType } from '../model/effects';
import type { EventOf } from '../model/events';
import { ErrorCode } from '../model/errors';
import { ConcurrencyBehavior } from '../model/flow';
import { State } from '../model/states';
import type { Draft } from './draft';
import { finishExecution } from './finish';

/** Starts the execution (`start`), or first claims a slot when its flow has a `concurrency` limit. */
export function startOrClaim(d: Draft, start: (d: Draft) => void): void {
  const c = d.flow.concurrency;
  if (!c) return start(d);
  const claimId = d.ids.next();
  d.patch({ slotClaim: claimId });
  const e = d.execution;
  d.emit({
    type: EffectType.ClaimConcurrencySlot, executionId: e.id, namespace: e.namespace, flowId: e.flowId, claimId,
    limit: c.limit, queue: c.behavior === ConcurrencyBehavior.QUEUE,
  });
}

/** The answer to the execution's claim, or its promotion from the queue. Stale answers change nothing. */
export function onConcurrencySlot(d: Draft, event: EventOf<'ConcurrencySlot'>, start: (d: Draft) => void): void {
  if (event.claimId !== d.execution.slotClaim) return;
  const s = d.state;
  const waiting = s === State.CREATED || s === State.RESTARTED;
  if (event.outcome === 'RUNNING') {
    if (waiting || s === State.QUEUED) start(d);
  } else if (!waiting) {
    return;
  } else if (event.outcome === 'QUEUED') {
    d.setState(State.QUEUED);
  } else if (d.flow.concurrency?.behavior === ConcurrencyBehavior.CANCEL) {
    finishExecution(d, State.CANCELLED, { refused: true });
  } else {
    finishExecution(d, State.FAILED, { refused: true });
    d.patch({ error: { code: ErrorCode.CONCURRENCY_LIMIT, message: 'Flow is FAILED due to concurrency limit exceeded', flow: d.fx.key } });
  }
}
