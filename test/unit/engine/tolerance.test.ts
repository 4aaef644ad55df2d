import { tolerated } from '../../../lib/engine/tolerance';
import { LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const SEQ = 'io.kestra.core.tasks.flows.Sequential';
const SUBFLOW = 'io.kestra.plugin.core.flow.Subflow';

describe('tolerated', () => {
  it('turns FAILED into WARNING with allowFailure, and into SUCCESS with allowWarning too', () => {
    expect(tolerated('FAILED', { allowFailure: true })).toBe('WARNING');
    expect(tolerated('FAILED', { allowFailure: true, allowWarning: true })).toBe('SUCCESS');
    expect(tolerated('FAILED', { allowWarning: true })).toBe('FAILED');
  });

  it('turns WARNING into SUCCESS with allowWarning, and never excuses KILLED', () => {
    expect(tolerated('WARNING', { allowWarning: true })).toBe('SUCCESS');
    expect(tolerated('KILLED', { allowFailure: true, allowWarning: true })).toBe('KILLED');
    expect(tolerated('FAILED', undefined)).toBe('FAILED');
  });
});

describe('allowFailure and allowWarning on tasks', () => {
  it('a runnable that fails with allowFailure ends WARNING, its attempt FAILED, and the flow carries on to WARNING', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, allowFailure: true }, { id: 'b', type: RETURN }], { errors: [{ id: 'alert', type: LOG }] }));
    h.fail('a');
    expect(h.run('a').state.current).toBe('WARNING');
    expect(h.run('a').attempts[0].state.current).toBe('FAILED');
    expect(h.run('a').error?.message).toBe('boom');
    expect(h.pending().map((w) => w.taskId)).toEqual(['b']);
    h.drive();
    expect(h.has('alert')).toBe(false);
    expect(h.state).toBe('WARNING');
  });

  it('retries first, and excuses only the last failure', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, allowFailure: true, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 2 } }]));
    h.fail('a');
    expect(h.run('a').state.current).toBe('RETRYING');
    h.fireWakeUps();
    h.fail('a');
    expect(h.run('a').attempts).toHaveLength(2);
    expect(h.run('a').state.current).toBe('WARNING');
  });

  it('with allowWarning too, a failure ends SUCCESS and so does the flow', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, allowFailure: true, allowWarning: true }]));
    h.fail('a');
    expect(h.states()).toEqual({ a: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('allowWarning turns a WARNING result into SUCCESS', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, allowWarning: true }]));
    h.answer('a', { state: 'WARNING' });
    expect(h.states()).toEqual({ a: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });

  it('a flowable with allowFailure runs its own errors, then ends WARNING and the flow carries on', () => {
    const h = Harness.start(flow([
      { id: 'seq', type: SEQ, allowFailure: true, tasks: [{ id: 'x', type: LOG }, { id: 'never', type: LOG }], errors: [{ id: 'local', type: LOG }] },
      { id: 'after', type: RETURN },
    ]));
    h.fail('x');
    h.drive();
    expect(h.states()).toEqual({ seq: 'WARNING', x: 'FAILED', local: 'SUCCESS', after: 'SUCCESS' });
    expect(h.state).toBe('WARNING');
  });

  it('a subflow whose child failed ends WARNING with allowFailure', () => {
    const h = Harness.start(flow([{ id: 'sub', type: SUBFLOW, namespace: 'n', flowId: 'child', wait: true, transmitFailed: true, allowFailure: true }]));
    const start = h.effectsOf('StartSubflow')[0];
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED' });
    expect(h.states()).toEqual({ sub: 'WARNING' });
    expect(h.state).toBe('WARNING');
  });

  it('a kill is never excused', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, allowFailure: true, allowWarning: true }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.answer('a', { state: 'KILLED' });
    expect(h.states()).toEqual({ a: 'KILLED' });
    expect(h.state).toBe('KILLED');
  });
});
