import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const LOOP = 'io.kestra.plugin.core.flow.LoopUntil';

/** A worker whose tasks return how many task runs it has seen so far (drive may ask twice per run). */
function counting(): (wt: { taskRunId: string }) => { state: 'SUCCESS'; outputs: { value: number } } {
  const seen = new Map<string, number>();
  return (wt) => {
    if (!seen.has(wt.taskRunId)) seen.set(wt.taskRunId, seen.size + 1);
    return { state: 'SUCCESS', outputs: { value: seen.get(wt.taskRunId)! } };
  };
}

describe('LoopUntil', () => {
  it('runs its tasks, then waits its interval and runs them again until the condition holds', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: LOOP, condition: '{{ outputs.count.value >= 3 }}', checkFrequency: { interval: 'PT10S' }, tasks: [{ id: 'count', type: RETURN }] },
      { id: 'after', type: RETURN },
    ]));
    const worker = counting();
    h.drive(worker);
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([expect.objectContaining({ at: '2024-01-01T00:00:10.000Z' })]);
    expect(h.runs('count')).toHaveLength(1);
    h.fireWakeUps();
    expect(h.run('loop').outputs).toEqual({ iterationCount: 2 });
    h.drive(worker);
    h.fireWakeUps();
    h.drive(worker);
    expect(h.runs('count')).toHaveLength(3);
    expect(h.run('loop').state.current).toBe('SUCCESS');
    expect(h.run('loop').outputs).toEqual({ iterationCount: 3 });
    expect(h.run('after').state.current).toBe('SUCCESS');
    expect(h.state).toBe('SUCCESS');
  });

  it('stops with SUCCESS after maxIterations, or FAILED with failOnMaxReached', () => {
    for (const [failOnMaxReached, state] of [[false, 'SUCCESS'], [true, 'FAILED']] as const) {
      const h = Harness.start(flow([
        { id: 'loop', type: LOOP, condition: 'false', failOnMaxReached, checkFrequency: { maxIterations: 2 }, tasks: [{ id: 't', type: RETURN }] },
      ]));
      h.drive();
      h.fireWakeUps();
      h.drive();
      expect(h.runs('t')).toHaveLength(2);
      expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([]);
      expect(h.run('loop').state.current).toBe(state);
      expect(h.state).toBe(state);
    }
  });

  it('stops once the next check would pass maxDuration', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: LOOP, condition: 'false', checkFrequency: { interval: 'PT1M', maxDuration: 'PT90S' }, tasks: [{ id: 't', type: RETURN }] },
    ]));
    h.drive();
    h.fireWakeUps();
    h.drive();
    expect(h.runs('t')).toHaveLength(2);
    expect(h.run('loop').state.current).toBe('SUCCESS');
  });

  it('fails and runs its errors when a task fails, without looping again', () => {
    const h = Harness.start(flow([
      { id: 'loop', type: LOOP, condition: 'false', tasks: [{ id: 't', type: RETURN }], errors: [{ id: 'alert', type: RETURN }] },
    ]));
    h.fail('t');
    h.drive();
    expect(h.states()).toEqual({ loop: 'FAILED', t: 'FAILED', alert: 'SUCCESS' });
    expect(h.effectsOf('ScheduleWakeUp')).toEqual([]);
  });

  it('ends KILLED on a kill while it waits, and its late wake-up changes nothing', () => {
    const h = Harness.start(flow([{ id: 'loop', type: LOOP, condition: 'false', tasks: [{ id: 't', type: RETURN }] }]));
    h.drive();
    const wake = h.effectsOf('ScheduleWakeUp', h.last)[0];
    h.send({ type: 'Kill' });
    expect(h.states()).toEqual({ loop: 'KILLED', t: 'SUCCESS' });
    expect(h.state).toBe('KILLED');
    const before = h.execution;
    h.send({ type: 'WakeUp', taskRunId: wake.taskRunId, reason: wake.reason });
    expect(h.execution).toBe(before);
  });

  it('fails naming condition when it does not render', () => {
    const h = Harness.start(flow([{ id: 'loop', type: LOOP, condition: '{{ nope }}', tasks: [{ id: 't', type: RETURN }] }]));
    h.drive();
    expect(h.run('loop').error).toMatchObject({ task: 'loop', property: 'condition' });
    expect(h.state).toBe('FAILED');
  });
});
