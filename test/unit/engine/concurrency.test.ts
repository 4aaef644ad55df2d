import type { Flow } from '../../../lib/model/flow';
import { LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const limited = (behavior: 'QUEUE' | 'CANCEL' | 'FAIL' = 'QUEUE', extra: Partial<Flow> = {}): Flow =>
  flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }], { concurrency: { limit: 2, behavior }, ...extra });

/** Starts an execution of `f` and answers its claim with `outcome`. */
function claimed(f: Flow, outcome: 'RUNNING' | 'QUEUED' | 'FULL'): Harness {
  const h = Harness.start(f);
  const [claim] = h.effectsOf('ClaimConcurrencySlot', h.last);
  h.send({ type: 'ConcurrencySlot', claimId: claim.claimId, outcome });
  return h;
}

describe('flow concurrency', () => {
  it('claims a slot before anything runs, and stays CREATED until the answer', () => {
    const h = Harness.start(limited());
    expect(h.state).toBe('CREATED');
    expect(h.execution.taskRunList).toEqual([]);
    expect(h.last).toEqual([{
      type: 'ClaimConcurrencySlot', executionId: 'e1', namespace: 'test', flowId: 'f', claimId: h.execution.slotClaim, limit: 2, queue: true,
    }]);
  });

  it('asks for no place in the queue when the behavior is CANCEL or FAIL', () => {
    expect(Harness.start(limited('CANCEL')).effectsOf('ClaimConcurrencySlot')[0].queue).toBe(false);
    expect(Harness.start(limited('FAIL')).effectsOf('ClaimConcurrencySlot')[0].queue).toBe(false);
  });

  it('runs once it holds a slot, and gives the slot back when it ends', () => {
    const h = claimed(limited(), 'RUNNING');
    expect(h.state).toBe('RUNNING');
    expect(h.pending().map((t) => t.taskId)).toEqual(['a']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
    expect(h.effectsOf('ReleaseConcurrencySlot', h.last)).toEqual([{
      type: 'ReleaseConcurrencySlot', executionId: 'e1', namespace: 'test', flowId: 'f', claimId: h.execution.slotClaim,
    }]);
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
  });

  it('waits QUEUED with nothing running, then starts from the first task when promoted', () => {
    const h = claimed(limited(), 'QUEUED');
    expect(h.state).toBe('QUEUED');
    expect(h.execution.taskRunList).toEqual([]);
    expect(h.last).toEqual([]);
    h.send({ type: 'ConcurrencySlot', claimId: h.execution.slotClaim!, outcome: 'RUNNING' });
    expect(h.state).toBe('RUNNING');
    h.drive();
    expect(h.states()).toEqual({ a: 'SUCCESS', b: 'SUCCESS' });
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'SUCCESS']);
    expect(h.effectsOf('ReleaseConcurrencySlot')).toHaveLength(1);
  });

  it('ends CANCELLED with no task run and no slot to give back when full and the behavior is CANCEL', () => {
    const h = claimed(limited('CANCEL'), 'FULL');
    expect(h.state).toBe('CANCELLED');
    expect(h.execution.taskRunList).toEqual([]);
    expect(h.effectsOf('ExecutionEnded', h.last).map((e) => e.state)).toEqual(['CANCELLED']);
    expect(h.effectsOf('ReleaseConcurrencySlot')).toEqual([]);
  });

  it('ends FAILED with Kestra\'s message when full and the behavior is FAIL, without rendering flow outputs', () => {
    const h = claimed(limited('FAIL', { outputs: [{ id: 'o', type: 'STRING', value: '{{ outputs.a.value }}' }] }), 'FULL');
    expect(h.state).toBe('FAILED');
    expect(h.execution.error).toEqual({ code: 'CONCURRENCY_LIMIT', message: 'Flow is FAILED due to concurrency limit exceeded', flow: 'test.f' });
    expect(h.execution.outputs).toBeUndefined();
    expect(h.effectsOf('ExecutionEnded', h.last).map((e) => e.state)).toEqual(['FAILED']);
    expect(h.effectsOf('ReleaseConcurrencySlot')).toEqual([]);
  });

  it('ends KILLED when killed while QUEUED, and withdraws its claim from the queue', () => {
    const h = claimed(limited(), 'QUEUED');
    h.send({ type: 'Kill' });
    expect(h.state).toBe('KILLED');
    expect(h.effectsOf('ExecutionEnded', h.last)).toHaveLength(1);
    expect(h.effectsOf('ReleaseConcurrencySlot', h.last).map((e) => e.claimId)).toEqual([h.execution.slotClaim]);
    // A promotion that crossed the kill changes nothing.
    expect(h.send({ type: 'ConcurrencySlot', claimId: h.execution.slotClaim!, outcome: 'RUNNING' })).toEqual([]);
  });

  it('ignores an answer to another claim, and a second answer to its own', () => {
    const h = Harness.start(limited());
    const before = h.execution;
    expect(h.send({ type: 'ConcurrencySlot', claimId: 'someone-else', outcome: 'RUNNING' })).toEqual([]);
    expect(h.execution).toBe(before);
    h.send({ type: 'ConcurrencySlot', claimId: h.execution.slotClaim!, outcome: 'RUNNING' });
    const running = h.execution;
    h.send({ type: 'ConcurrencySlot', claimId: h.execution.slotClaim!, outcome: 'QUEUED' });
    expect(h.execution).toBe(running);
  });

  it('claims again on restart, and carries on from the failed task once it holds a slot', () => {
    const h = claimed(limited(), 'RUNNING');
    h.succeed('a');
    h.fail('b');
    expect(h.state).toBe('FAILED');
    const first = h.execution.slotClaim;
    expect(h.effectsOf('ReleaseConcurrencySlot', h.last).map((e) => e.claimId)).toEqual([first]);
    h.send({ type: 'Restart' });
    expect(h.state).toBe('RESTARTED');
    const [claim] = h.effectsOf('ClaimConcurrencySlot', h.last);
    expect(claim.claimId).not.toBe(first);
    expect(h.pending()).toEqual([]);
    h.send({ type: 'ConcurrencySlot', claimId: claim.claimId, outcome: 'QUEUED' });
    expect(h.state).toBe('QUEUED');
    h.send({ type: 'ConcurrencySlot', claimId: claim.claimId, outcome: 'RUNNING' });
    expect(h.pending().map((t) => t.taskId)).toEqual(['b']);
    h.drive();
    expect(h.states()).toEqual({ a: 'SUCCESS', b: 'SUCCESS' });
    expect(h.effectsOf('ReleaseConcurrencySlot', h.last).map((e) => e.claimId)).toEqual([claim.claimId]);
  });
});
