import { LOG, RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const PAUSE = 'io.kestra.core.tasks.flows.Pause';

const manual = flow([
  { id: 'pause', type: PAUSE, tasks: [{ id: 'subtask', type: LOG }] },
  { id: 'last', type: RETURN },
], { errors: [{ id: 'failed-echo', type: LOG }] });

describe('Pause', () => {
  it('leaves the execution PAUSED until a Resume, then runs its own tasks', () => {
    const h = Harness.start(manual);
    expect(h.run('pause').state.current).toBe('PAUSED');
    expect(h.state).toBe('PAUSED');
    expect(h.pending()).toEqual([]);
    expect(h.last.filter((e) => e.type !== 'DispatchWorkerTask')).toEqual([]);
    h.advance(1000);
    h.send({ type: 'Resume' });
    expect(h.state).toBe('RUNNING');
    expect(h.history('pause')).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING']);
    expect(h.pending().map((w) => w.taskId)).toEqual(['subtask']);
    h.drive();
    expect(h.history('pause')).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(h.run('last').state.current).toBe('SUCCESS');
    expect(h.state).toBe('SUCCESS');
  });

  it('keeps the Resume inputs as its onResume outputs', () => {
    const h = Harness.start(flow([{ id: 'pause', type: PAUSE }, { id: 'last', type: RETURN }]));
    h.send({ type: 'Resume', taskRunId: h.run('pause').id, inputs: { approved: true } });
    expect(h.run('pause').outputs).toEqual({ onResume: { approved: true } });
    expect(h.run('pause').state.current).toBe('SUCCESS');
    expect((h.pending()[0].variables.outputs as any).pause.onResume.approved).toBe(true);
  });

  it('wakes up by itself after its delay, the execution staying RUNNING meanwhile', () => {
    const h = Harness.start(flow([
      { id: 'pause', type: PAUSE, delay: 'PT1S', tasks: [{ id: 'subtask', type: LOG }] },
      { id: 'last', type: RETURN },
    ]));
    const [wake] = h.effectsOf('ScheduleWakeUp', h.last);
    expect(wake).toEqual({ type: 'ScheduleWakeUp', executionId: 'e1', taskRunId: h.run('pause').id, at: '2024-01-01T00:00:01.000Z', reason: 'pause-delay' });
    expect(h.state).toBe('RUNNING');
    h.fireWakeUps();
    expect(h.history('pause')).toEqual(['CREATED', 'RUNNING', 'PAUSED', 'RUNNING']);
    h.drive();
    expect(h.state).toBe('SUCCESS');
  });

  it('fails when its timeout passes without a resume', () => {
    const h = Harness.start(flow([
      { id: 'pause', type: PAUSE, timeout: 'PT1S', tasks: [{ id: 'ko', type: LOG }] },
      { id: 'last', type: RETURN },
    ]));
    expect(h.state).toBe('PAUSED');
    expect(h.effectsOf('ScheduleWakeUp', h.last)[0].reason).toBe('pause-timeout');
    h.fireWakeUps();
    expect(h.run('pause').state.current).toBe('FAILED');
    expect(h.run('pause').error).toMatchObject({ code: 'TIMEOUT', task: 'pause', property: 'timeout' });
    expect(h.has('ko')).toBe(false);
    expect(h.has('last')).toBe(false);
    expect(h.state).toBe('FAILED');
  });

  it('ignores a timeout wake-up after it was resumed', () => {
    const h = Harness.start(flow([{ id: 'pause', type: PAUSE, timeout: 'PT1S', tasks: [{ id: 'ko', type: LOG }] }]));
    const wakeUps = h.last;
    h.send({ type: 'Resume' });
    const before = h.execution;
    h.fireWakeUps(wakeUps);
    expect(h.execution).toBe(before);
    expect(h.run('pause').state.current).toBe('RUNNING');
  });

  it('fails with the expression error when its delay does not render', () => {
    const h = Harness.start(flow([{ id: 'pause', type: PAUSE, delay: '{{ inputs.missing }}' }]));
    expect(h.run('pause').error).toMatchObject({ code: 'EXPRESSION', task: 'pause', property: 'delay' });
    expect(h.state).toBe('FAILED');
  });
});

describe('Pause (1.x): pauseDuration and behavior', () => {
  const PAUSE_1X = 'io.kestra.plugin.core.flow.Pause';

  it('takes pauseDuration as its delay and carries on after it (behavior RESUME, the default)', () => {
    const h = Harness.start(flow([{ id: 'wait', type: PAUSE_1X, pauseDuration: 'PT5M' }, { id: 'last', type: RETURN }]));
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([expect.objectContaining({ at: '2024-01-01T00:05:00.000Z', reason: 'pause-delay' })]);
    h.fireWakeUps();
    expect(h.states()).toEqual({ wait: 'SUCCESS', last: 'CREATED' });
  });

  it('ends WARNING after pauseDuration with behavior WARN, and the flow carries on', () => {
    const h = Harness.start(flow([{ id: 'wait', type: PAUSE_1X, pauseDuration: 'PT1S', behavior: 'WARN' }, { id: 'last', type: RETURN }]));
    h.fireWakeUps();
    h.drive();
    expect(h.states()).toEqual({ wait: 'WARNING', last: 'SUCCESS' });
    expect(h.state).toBe('WARNING');
  });

  it('with behavior WARN and tasks, runs them and ends WARNING at best', () => {
    const h = Harness.start(flow([{ id: 'wait', type: PAUSE_1X, pauseDuration: 'PT1S', behavior: 'WARN', tasks: [{ id: 'inside', type: LOG }] }]));
    h.fireWakeUps();
    h.drive();
    expect(h.states()).toEqual({ wait: 'WARNING', inside: 'SUCCESS' });
  });

  it('fails after pauseDuration with behavior FAIL, naming behavior', () => {
    const h = Harness.start(flow([{ id: 'wait', type: PAUSE_1X, pauseDuration: 'PT1S', behavior: 'FAIL' }, { id: 'last', type: RETURN }]));
    h.fireWakeUps();
    expect(h.states()).toEqual({ wait: 'FAILED' });
    expect(h.run('wait').error).toMatchObject({ task: 'wait', property: 'behavior', message: 'paused for PT1S, and its behavior is FAIL' });
    expect(h.state).toBe('FAILED');
  });

  it('succeeds when resumed before pauseDuration, whatever its behavior', () => {
    const h = Harness.start(flow([{ id: 'wait', type: PAUSE_1X, pauseDuration: 'PT1H', behavior: 'FAIL' }]));
    h.send({ type: 'Resume', taskRunId: h.run('wait').id });
    expect(h.states()).toEqual({ wait: 'SUCCESS' });
    expect(h.state).toBe('SUCCESS');
  });
});
