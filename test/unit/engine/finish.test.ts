import { LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';
const PAUSE = 'io.kestra.core.tasks.flows.Pause';

describe('finish', () => {
  it('ends an empty flow at once', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, disabled: true }]));
    expect(h.state).toBe('SUCCESS');
    expect(h.effectsOf('ExecutionEnded')).toHaveLength(1);
  });

  it('shows PAUSED while any Pause waits for a person and RUNNING again once none does', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'p1', type: PAUSE }, { id: 'p2', type: PAUSE }, { id: 'work', type: LOG }] }]));
    expect(h.state).toBe('PAUSED');
    h.succeed('work');
    expect(h.state).toBe('PAUSED');
    h.send({ type: 'Resume', taskRunId: h.run('p1').id });
    expect(h.state).toBe('PAUSED');
    h.send({ type: 'Resume' });
    expect(h.state).toBe('SUCCESS');
  });

  it('renders the parent outputs template with the child variables, keeping value types', () => {
    const parent = { executionId: 'p1', taskRunId: 'ptr', namespace: 'test', flowId: 'parent', chain: ['test.parent'], outputsTemplate: { x: '{{ inputs }}' } };
    const h = Harness.start(flow([{ id: 'a', type: LOG }]), { parent, inputs: { k: 1 } });
    h.succeed('a');
    expect(h.effectsOf('ExecutionEnded')[0].outputs).toEqual({ x: { k: 1 } });
  });
});
