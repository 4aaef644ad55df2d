import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const SLEEP = 'io.kestra.plugin.core.flow.Sleep';

describe('Sleep', () => {
  it('schedules a wake-up after its duration and sends nothing to a worker', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT5M' }, { id: 'end', type: RETURN }]));
    expect(h.effectsOf('ScheduleWakeUp', h.last)).toEqual([expect.objectContaining({ at: '2024-01-01T00:05:00.000Z' })]);
    expect(h.pending()).toEqual([]);
    expect(h.states()).toEqual({ nap: 'RUNNING' });
    expect(h.state).toBe('RUNNING');
  });

  it('ends SUCCESS at its wake-up and the flow carries on', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT1S' }, { id: 'end', type: RETURN }]));
    h.fireWakeUps();
    expect(h.history('nap')).toEqual(['CREATED', 'RUNNING', 'SUCCESS']);
    expect(h.pending().map((w) => w.taskId)).toEqual(['end']);
  });

  it('ends at once for a zero duration', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT0S' }]));
    expect(h.effectsOf('ScheduleWakeUp')).toEqual([]);
    expect(h.state).toBe('SUCCESS');
  });

  it('renders its duration', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: '{{ inputs.d }}' }]), { inputs: { d: 'PT2S' } });
    expect(h.effectsOf('ScheduleWakeUp')[0].at).toBe('2024-01-01T00:00:02.000Z');
  });

  it('fails naming duration when it renders to something else', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: '{{ inputs.d }}' }]), { inputs: { d: 'soon' } });
    expect(h.run('nap').error).toMatchObject({ task: 'nap', property: 'duration', message: expect.stringContaining("'soon'") });
    expect(h.state).toBe('FAILED');
  });

  it('ends KILLED at once on a kill, and a late wake-up changes nothing', () => {
    const h = Harness.start(flow([{ id: 'nap', type: SLEEP, duration: 'PT1H' }]));
    const wake = h.effectsOf('ScheduleWakeUp')[0];
    h.send({ type: 'Kill' });
    expect(h.states()).toEqual({ nap: 'KILLED' });
    expect(h.state).toBe('KILLED');
    const before = h.execution;
    h.send({ type: 'WakeUp', taskRunId: wake.taskRunId, reason: wake.reason });
    expect(h.execution).toBe(before);
  });
});
