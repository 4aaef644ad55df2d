import { LOG, RETURN } from './helpers/catalog';
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

  describe('afterExecution (Kestra 1.x)', () => {
    const after = [{ id: 'end', type: RETURN, format: '{{ execution.state }}' }, { id: 'last', type: LOG, message: 'x' }];

    it('runs its tasks one after the other once the state is settled, each reading it as execution.state, then ends', () => {
      const h = Harness.start(flow([{ id: 'main', type: LOG }], { afterExecution: after }));
      h.succeed('main');
      expect(h.state).toBe('RUNNING');
      expect(h.pending().map((t) => t.taskId)).toEqual(['end']);
      expect((h.pending()[0].variables.execution as { state: string }).state).toBe('SUCCESS');
      expect(h.effectsOf('ExecutionEnded')).toEqual([]);
      h.succeed('end');
      expect(h.pending().map((t) => t.taskId)).toEqual(['last']);
      h.succeed('last');
      expect(h.state).toBe('SUCCESS');
      expect(h.execution.ending).toBeUndefined();
      expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ state: 'SUCCESS' })]);
    });

    it('runs after errors and finally, sees FAILED, and keeps the state whatever its own tasks end in', () => {
      const h = Harness.start(flow([{ id: 'main', type: LOG }], {
        errors: [{ id: 'alert', type: LOG }], finally: [{ id: 'cleanup', type: LOG }], afterExecution: after,
      }));
      h.fail('main');
      h.succeed('alert');
      expect(h.pending().map((t) => t.taskId)).toEqual(['cleanup']);
      h.succeed('cleanup');
      expect((h.pending()[0].variables.execution as { state: string }).state).toBe('FAILED');
      h.fail('end', undefined, 'after boom');
      h.succeed('last');
      expect(h.state).toBe('FAILED');
      // The error is the main branch's, not the failed afterExecution task's.
      expect(h.execution.error).toMatchObject({ message: 'boom' });
      expect(h.execution.taskRunList.map((r) => r.taskId)).toEqual(['main', 'alert', 'cleanup', 'end', 'last']);
    });

    it('is skipped by a killed execution', () => {
      const h = Harness.start(flow([{ id: 'main', type: LOG }], { afterExecution: after }));
      h.send({ type: 'Kill' });
      h.drive();
      expect(h.state).toBe('KILLED');
      expect(h.has('end')).toBe(false);
    });
  });
});
