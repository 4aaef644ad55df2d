import { BASH, LOG } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const PARALLEL = 'io.kestra.core.tasks.flows.Parallel';

describe('dispatch', () => {
  it('creates task runs with ids from Ids, the parent link and no undefined fields', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'a', type: LOG }] }]));
    expect(h.run('p')).toEqual({
      id: 'r1', executionId: 'e1', namespace: 'test', flowId: 'f', taskId: 'p', attempts: [],
      state: { current: 'RUNNING', histories: [{ state: 'CREATED', date: '2024-01-01T00:00:00.000Z' }, { state: 'RUNNING', date: '2024-01-01T00:00:00.000Z' }] },
    });
    expect(h.run('a')).toMatchObject({ id: 'r2', parentTaskRunId: 'r1', attempts: [{ state: { current: 'CREATED' } }] });
  });

  it('sends each runnable to its plugin group', () => {
    const h = Harness.start(flow([{ id: 'p', type: PARALLEL, tasks: [{ id: 'a', type: LOG }, { id: 'b', type: BASH }] }]));
    expect(h.pending().map((w) => [w.taskId, w.group])).toEqual([['a', 'core'], ['b', 'scripts']]);
  });

  it('renders a templated timeout', () => {
    const h = Harness.start(flow([{ id: 'a', type: LOG, timeout: '{{ inputs.t }}' }]), { inputs: { t: 'PT2M' } });
    expect(h.pending()[0].timeoutMs).toBe(120_000);
  });
});
