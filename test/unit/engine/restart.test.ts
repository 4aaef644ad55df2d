import { FAIL, LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const EACH_PAR = 'io.kestra.core.tasks.flows.EachParallel';
const SWITCH = 'io.kestra.core.tasks.flows.Switch';

describe('restart', () => {
  it('re-runs the failed run with the next attempt number and carries on after it', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }, { id: 'c', type: LOG }, { id: 'd', type: LOG }]));
    h.succeed('a');
    h.succeed('b');
    h.fail('c');
    expect(h.state).toBe('FAILED');
    const ended = h.effectsOf('ExecutionEnded');
    h.send({ type: 'Restart' });
    expect(h.state).toBe('RUNNING');
    expect(h.run('c').state.current).toBe('RESTARTED');
    const [wt] = h.pending();
    expect(wt).toMatchObject({ taskId: 'c', attempt: 1 });
    expect((wt.variables.taskrun as any).attemptsCount).toBe(1);
    h.drive();
    expect(h.history('c')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.run('d').state.current).toBe('SUCCESS');
    expect(h.runs('c')).toHaveLength(1);
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'SUCCESS']);
    expect(h.effectsOf('ExecutionEnded')).toHaveLength(ended.length + 1);
    expect(h.execution.error).toBeUndefined();
  });

  it('puts the failed run\'s flowable parents back to RUNNING and removes the errors branch runs', () => {
    const h = Harness.start(flow([
      { id: 'before', type: LOG },
      { id: 'sequential', type: SEQ, tasks: [{ id: 'close', type: LOG }, { id: 'failStep', type: FAIL }], errors: [{ id: 'errorHandler', type: LOG }] },
      { id: 'after', type: LOG },
    ], { errors: [{ id: 'global', type: LOG }] }));
    h.drive((wt) => ({ state: wt.taskId === 'failStep' ? 'FAILED' : 'SUCCESS' }));
    expect(h.state).toBe('FAILED');
    expect(h.has('errorHandler') && h.has('global')).toBe(true);
    h.send({ type: 'Restart' });
    expect(h.has('errorHandler')).toBe(false);
    expect(h.has('global')).toBe(false);
    expect(h.history('sequential')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING']);
    expect(h.pending().map((w) => w.taskId)).toEqual(['failStep']);
    h.drive();
    expect(h.states()).toEqual({ before: 'SUCCESS', sequential: 'SUCCESS', close: 'SUCCESS', failStep: 'SUCCESS', after: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('retries again after a restart, counting only the new attempts', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 2 } }]));
    h.fail('a');
    h.fireWakeUps();
    h.fail('a');
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    h.fail('a');
    expect(h.run('a').state.current).toBe('RETRYING');
    expect(h.run('a').attempts).toHaveLength(3);
  });

  it('re-runs only the failed values of a loop', () => {
    const h = Harness.start(flow([{ id: 'each', type: EACH_PAR, value: ['1', '2', '3'], tasks: [{ id: 't', type: LOG }] }]));
    h.drive((wt) => ({ state: h.execution.taskRunList.find((r) => r.id === wt.taskRunId)!.value === '2' ? 'FAILED' : 'SUCCESS' }));
    h.send({ type: 'Restart' });
    expect(h.pending().map((w) => w.taskRunId)).toEqual([h.run('t', '2').id]);
    h.drive();
    expect(h.state).toBe('SUCCESS');
    expect(h.runs('t')).toHaveLength(3);
  });

  it('starts a failed flowable over, rendering it again', () => {
    const h = Harness.start(flow([{ id: 's', type: SWITCH, value: '{{ inputs.v }}', cases: { A: [{ id: 'a', type: LOG }] } }]), { inputs: { v: 'B' } });
    expect(h.state).toBe('FAILED');
    h.send({ type: 'Restart' });
    expect(h.history('s')).toEqual(['CREATED', 'RUNNING', 'FAILED', 'RESTARTED', 'RUNNING', 'FAILED']);
    expect(h.state).toBe('FAILED');
  });

  it('restarts a KILLED execution', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }, { id: 'b', type: LOG }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.answer('a', { state: 'KILLED' });
    expect(h.state).toBe('KILLED');
    h.send({ type: 'Restart' });
    h.drive();
    expect(h.states()).toEqual({ a: 'SUCCESS', b: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('does nothing for a successful or running execution', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    const running = h.execution;
    expect(h.send({ type: 'Restart' })).toEqual([]);
    expect(h.execution).toBe(running);
    h.succeed('a');
    const done = h.execution;
    expect(h.send({ type: 'Restart' })).toEqual([]);
    expect(h.execution).toBe(done);
  });
});
