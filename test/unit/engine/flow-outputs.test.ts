import { LOG, RETURN } from './helpers/catalog';
import { Harness, flow } from './helpers/harness';

const parentRef = { executionId: 'p1', taskRunId: 'pr1', namespace: 'test', flowId: 'parent', chain: ['test.parent'] };

describe('flow outputs (Kestra 1.x)', () => {
  it('are rendered when the execution ends and typed like inputs', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }], {
      outputs: [
        { id: 'count', type: 'INT', value: '{{ outputs.r.value }}' },
        { id: 'label', type: 'STRING', value: 'n={{ outputs.r.value }}' },
        { id: 'ok', type: 'BOOLEAN', value: 'true' },
      ],
    }));
    h.succeed('r', { value: '42' });
    expect(h.state).toBe('SUCCESS');
    expect(h.execution.outputs).toEqual({ count: 42, label: 'n=42', ok: true });
  });

  it('fail the execution when a value does not fit its type, naming the output', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }], { outputs: [{ id: 'count', type: 'INT', value: '{{ outputs.r.value }}' }] }));
    h.succeed('r', { value: 'many' });
    expect(h.state).toBe('FAILED');
    expect(h.execution.error).toMatchObject({ flow: 'test.f', property: 'outputs.count', message: expect.stringContaining("flow output 'count' (INT)") });
    expect(h.execution.outputs).toBeUndefined();
    expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ state: 'FAILED' })]);
  });

  it('fail the execution when a value does not render', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }], { outputs: [{ id: 'x', type: 'STRING', value: '{{ outputs.nope.value }}' }] }));
    h.succeed('r');
    expect(h.state).toBe('FAILED');
    expect(h.execution.error).toMatchObject({ property: 'outputs.x', message: expect.stringContaining("flow output 'x'") });
  });

  it('skip an optional output that renders to nothing', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }], { outputs: [{ id: 'x', type: 'STRING', value: '{{ null }}', required: false }] }));
    h.succeed('r');
    expect(h.state).toBe('SUCCESS');
    expect(h.execution.outputs).toEqual({});
  });

  it('are not rendered for a killed execution', () => {
    const h = Harness.start(flow([{ id: 'r', type: LOG }], { outputs: [{ id: 'x', type: 'STRING', value: '{{ outputs.r.value }}' }] }));
    h.send({ type: 'Kill' });
    expect(h.state).toBe('KILLED');
    expect(h.execution.outputs).toBeUndefined();
  });

  it('go to the parent with ExecutionEnded when the parent gave no outputs of its own', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }], { outputs: [{ id: 'x', type: 'STRING', value: '{{ outputs.r.value }}' }] }), { parent: parentRef });
    h.succeed('r', { value: 'hi' });
    expect(h.effectsOf('ExecutionEnded')).toEqual([expect.objectContaining({ parentExecutionId: 'p1', outputs: { x: 'hi' } })]);
  });

  it('are dropped by a restart and rendered again at the new end', () => {
    const h = Harness.start(flow([{ id: 'r', type: RETURN }, { id: 'f', type: LOG }], { outputs: [{ id: 'x', type: 'STRING', value: '{{ outputs.r.value }}' }] }));
    h.succeed('r', { value: 'first' });
    h.fail('f');
    expect(h.execution.outputs).toEqual({ x: 'first' });
    h.send({ type: 'Restart' });
    expect(h.execution.outputs).toBeUndefined();
    h.succeed('f');
    expect(h.execution.outputs).toEqual({ x: 'first' });
    expect(h.state).toBe('SUCCESS');
  });
});
