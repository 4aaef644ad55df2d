import { LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';
const PAUSE = 'io.kestra.core.tasks.flows.Pause';
const FLOW = 'io.kestra.core.tasks.flows.Flow';

describe('kill', () => {
  it('kills runs that have not started, stops running attempts, and ends KILLED once the workers reported', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'running', type: LOG }, { id: 'queued', type: LOG }] }, { id: 'after', type: RETURN }]));
    h.started('running');
    h.send({ type: 'Kill' });
    expect(h.state).toBe('KILLING');
    expect(h.run('queued').state.current).toBe('KILLED');
    expect(h.run('running').state.current).toBe('KILLING');
    expect(h.run('p').state.current).toBe('KILLING');
    expect(h.effectsOf('StopWorkerTask', h.last).map((e) => e.taskRunId).sort()).toEqual([h.run('running').id, h.run('queued').id].sort());
    expect(h.effectsOf('ExecutionEnded', h.last)).toEqual([]);
    h.answer('running', { state: 'KILLED' });
    expect(h.run('running').state.current).toBe('KILLED');
    expect(h.run('p').state.current).toBe('KILLED');
    expect(h.has('after')).toBe(false);
    expect(h.state).toBe('KILLED');
    expect(h.effectsOf('ExecutionEnded', h.last)).toHaveLength(1);
    expect(h.execution.state.histories.map((x) => x.state)).toEqual(['CREATED', 'RUNNING', 'KILLING', 'KILLED']);
  });

  it('ends KILLED at once when nothing is running', () => {
    const h = Harness.start(flow([{ id: 'pause', type: PAUSE }]));
    h.send({ type: 'Kill' });
    expect(h.run('pause').state.current).toBe('KILLED');
    expect(h.state).toBe('KILLED');
    expect(h.effectsOf('ExecutionEnded', h.last)).toHaveLength(1);
  });

  it('keeps a result that arrives before the stop took effect, and still ends KILLED', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT1S' } }, { id: 'b', type: LOG }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.answer('a', { state: 'FAILED' });
    expect(h.run('a').state.current).toBe('FAILED');
    expect(h.effectsOf('ScheduleWakeUp')).toEqual([]);
    expect(h.has('b')).toBe(false);
    expect(h.state).toBe('KILLED');
  });

  it('kills a run waiting for a retry without waiting for its wake-up', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, retry: { type: 'constant', interval: 'PT1M' } }]));
    h.fail('a');
    expect(h.run('a').state.current).toBe('RETRYING');
    h.send({ type: 'Kill' });
    expect(h.run('a').state.current).toBe('KILLED');
    expect(h.state).toBe('KILLED');
    h.fireWakeUps(h.all);
    expect(h.pending()).toEqual([]);
  });

  it('kills a subflow it waits for and ends once the child reported', () => {
    const h = Harness.start(flow([{ id: 's', type: FLOW, namespace: 'n', flowId: 'c', wait: true }]));
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'Kill' });
    expect(h.effectsOf('KillSubflow', h.last)).toEqual([{ type: 'KillSubflow', childExecutionId: start.childExecutionId }]);
    expect(h.state).toBe('KILLING');
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'KILLED' });
    expect(h.run('s').state.current).toBe('KILLED');
    expect(h.state).toBe('KILLED');
  });

  it('changes nothing on a terminal execution or a second kill', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG }]));
    h.started('a');
    h.send({ type: 'Kill' });
    const killing = h.execution;
    expect(h.send({ type: 'Kill' })).toEqual([]);
    expect(h.execution).toBe(killing);
    h.answer('a', { state: 'KILLED' });
    const killed = h.execution;
    expect(h.send({ type: 'Kill' })).toEqual([]);
    expect(h.execution).toBe(killed);
  });

  it('ignores a resume while killing', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'a', type: LOG }, { id: 'pause', type: PAUSE }] }]));
    h.started('a');
    h.send({ type: 'Kill' });
    h.send({ type: 'Resume' });
    expect(h.run('pause').state.current).toBe('KILLED');
  });
});
