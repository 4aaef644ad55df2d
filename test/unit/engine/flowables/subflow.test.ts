import { subflowRunState } from '../../../../lib/engine/flowables/subflow';
import { RETURN } from '../helpers/catalog';
import { Harness, flow } from '../helpers/harness';

const FLOW = 'io.kestra.core.tasks.flows.Flow';
const SUBFLOW = 'io.kestra.plugin.core.flow.Subflow';

const parent = (extra: Record<string, unknown> = {}) => flow([
  { id: 'launch', type: FLOW, namespace: 'io.kestra.tests', flowId: 'switch', inputs: { string: '{{ inputs.string }}' }, ...extra },
  { id: 'after', type: RETURN },
], { labels: { mainFlowLabel: 'flowFoo' } });

describe('Flow / Subflow', () => {
  it('asks the runtime to start the child with rendered inputs, a chosen id and the chain of flows', () => {
    const h = Harness.start(parent({ wait: true, transmitFailed: true, labels: { launchTaskLabel: 'launchFoo' }, inheritLabels: true, outputs: { extracted: '{{ outputs.default.value }}' } }),
      { inputs: { string: 'FIRST' }, labels: { mainFlowLabel: 'flowFoo' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    expect(start).toEqual({
      type: 'StartSubflow', parentExecutionId: 'e1', parentTaskRunId: h.run('launch').id, namespace: 'io.kestra.tests', flowId: 'switch',
      inputs: { string: 'FIRST' }, labels: { mainFlowLabel: 'flowFoo', launchTaskLabel: 'launchFoo' }, wait: true,
      childExecutionId: expect.any(String), chain: ['test.f'], outputs: { extracted: '{{ outputs.default.value }}' },
    });
    expect(h.run('launch').state.current).toBe('RUNNING');
    expect(h.run('launch').attempts).toEqual([]);
  });

  it('asks for the child to start at scheduleDate', () => {
    const h = Harness.start(parent({ scheduleDate: '{{ inputs.when }}' }), { inputs: { string: 'x', when: '2030-05-01T00:00:00Z' } });
    expect(h.effectsOf('StartSubflow', h.last)[0].scheduleDate).toBe('2030-05-01T00:00:00.000Z');
  });

  it('with wait false, succeeds once the child exists, with its id as output', () => {
    const h = Harness.start(parent(), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    expect(start.wait).toBe(false);
    expect(start.outputs).toBeUndefined();
    h.send({ type: 'SubflowStarted', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId });
    expect(h.run('launch').state.current).toBe('SUCCESS');
    expect(h.run('launch').outputs).toEqual({ executionId: start.childExecutionId });
    expect(h.pending().map((w) => w.taskId)).toEqual(['after']);
  });

  it('with wait true, ends with the child and exposes its state and rendered outputs', () => {
    const h = Harness.start(parent({ wait: true, outputs: { extracted: '{{ outputs.t.value }}' } }), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowStarted', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId });
    expect(h.run('launch').state.current).toBe('RUNNING');
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'SUCCESS', outputs: { extracted: 'v' } });
    expect(h.run('launch').state.current).toBe('SUCCESS');
    expect(h.run('launch').outputs).toEqual({ executionId: start.childExecutionId, state: 'SUCCESS', outputs: { extracted: 'v' } });
    expect((h.pending()[0].variables.outputs as any).launch.outputs.extracted).toBe('v');
  });

  it('takes a failed child state only with transmitFailed', () => {
    for (const transmitFailed of [false, true]) {
      const h = Harness.start(parent({ wait: true, transmitFailed }), { inputs: { string: 'x' } });
      const [start] = h.effectsOf('StartSubflow', h.last);
      h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED' });
      expect(h.run('launch').state.current).toBe(transmitFailed ? 'FAILED' : 'SUCCESS');
    }
  });

  it('maps child states the way Kestra does', () => {
    expect(subflowRunState('WARNING', true, false)).toBe('WARNING');
    expect(subflowRunState('KILLED', true, false)).toBe('KILLED');
    expect(subflowRunState('KILLED', false, false)).toBe('SUCCESS');
    expect(subflowRunState('KILLED', false, true)).toBe('KILLED');
    expect(subflowRunState('SUCCESS', true, false)).toBe('SUCCESS');
  });

  it('fails the parent run when the child outputs failed to render, even though the child succeeded', () => {
    const h = Harness.start(parent({ wait: true }), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'SUCCESS',
      error: { code: 'EXPRESSION', message: 'undefined variable outputs.nope', property: 'outputs' } });
    expect(h.run('launch').state.current).toBe('FAILED');
    expect(h.run('launch').error).toMatchObject({ code: 'EXPRESSION', task: 'launch', flow: 'test.f', property: 'outputs' });
    expect(h.state).toBe('FAILED');
  });

  it('fails the parent run when the child could not start (unknown flow, cycle)', () => {
    const h = Harness.start(parent({ wait: false }), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, state: 'FAILED', error: { code: 'SUBFLOW_INVALID', message: 'unknown subflow io.kestra.tests.switch' } });
    expect(h.run('launch').error?.message).toBe('unknown subflow io.kestra.tests.switch');
    expect(h.state).toBe('FAILED');
  });

  it('is never retried', () => {
    const h = Harness.start(parent({ wait: true, transmitFailed: true, retry: { type: 'constant', interval: 'PT1S', maxAttempt: 3 } }), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED' });
    expect(h.effectsOf('ScheduleWakeUp')).toEqual([]);
    expect(h.effectsOf('StartSubflow')).toHaveLength(1);
    expect(h.state).toBe('FAILED');
  });

  it('ignores the end of a child it no longer waits for', () => {
    const h = Harness.start(parent({ wait: true }), { inputs: { string: 'x' } });
    const [start] = h.effectsOf('StartSubflow', h.last);
    const before = h.execution;
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: 'someone-else', state: 'SUCCESS' });
    expect(h.execution).toBe(before);
  });

  it('accepts the 1.x Subflow name', () => {
    const h = Harness.start(flow([{ id: 's', type: SUBFLOW, namespace: 'n', flowId: 'c' }]));
    expect(h.effectsOf('StartSubflow', h.last)).toHaveLength(1);
  });

  it('fails the run when its inputs do not render', () => {
    const h = Harness.start(flow([{ id: 's', type: FLOW, namespace: 'n', flowId: 'c', inputs: { a: '{{ inputs.nope }}' } }]));
    expect(h.run('s').error).toMatchObject({ code: 'EXPRESSION', task: 's', property: 'inputs.a' });
    expect(h.effectsOf('StartSubflow')).toEqual([]);
  });

  describe('as the child', () => {
    const ref = { executionId: 'p1', taskRunId: 'ptr', namespace: 'test', flowId: 'parent', chain: ['test.parent'] };

    it('renders the parent task outputs with its own variables when it ends', () => {
      const h = Harness.start(flow([{ id: 't', type: RETURN }]), { parent: { ...ref, outputsTemplate: { extracted: '{{ outputs.t.value }}' } } });
      h.succeed('t', { value: 'hello' });
      const [ended] = h.effectsOf('ExecutionEnded', h.last);
      expect(ended).toEqual({
        type: 'ExecutionEnded', executionId: 'e1', namespace: 'test', flowId: 'f', flowRevision: 1, state: 'SUCCESS',
        parentExecutionId: 'p1', parentTaskRunId: 'ptr', outputs: { extracted: 'hello' },
      });
    });

    it('reports outputs that fail to render instead of failing itself', () => {
      const h = Harness.start(flow([{ id: 't', type: RETURN }]), { parent: { ...ref, outputsTemplate: { extracted: '{{ outputs.nope.value }}' } } });
      h.succeed('t', { value: 'hello' });
      const [ended] = h.effectsOf('ExecutionEnded', h.last);
      expect(ended.state).toBe('SUCCESS');
      expect(ended.outputs).toBeUndefined();
      expect(ended.outputsError).toMatchObject({ code: 'EXPRESSION', flow: 'test.parent', property: 'outputs.extracted' });
      expect(ended.outputsError?.message).toContain('outputs.nope');
    });
  });
});

describe('Subflow defaults by type name', () => {
  const run = (type: string, extra: Record<string, unknown> = {}) =>
    Harness.start(flow([{ id: 'call', type, namespace: 'n', flowId: 'child', ...extra }, { id: 'after', type: RETURN }]));

  it('Subflow (1.x) waits and transmits a failure by default', () => {
    for (const type of [SUBFLOW, 'io.kestra.core.tasks.flows.Subflow']) {
      const h = run(type);
      const [start] = h.effectsOf('StartSubflow', h.last);
      expect(start.wait).toBe(true);
      h.send({ type: 'SubflowStarted', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId });
      expect(h.run('call').state.current).toBe('RUNNING');
      h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED' });
      expect(h.states()).toEqual({ call: 'FAILED' });
      expect(h.state).toBe('FAILED');
    }
  });

  it('Subflow keeps wait and transmitFailed when written', () => {
    const h = run(SUBFLOW, { wait: true, transmitFailed: false });
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED' });
    expect(h.run('call').state.current).toBe('SUCCESS');
    const quick = run(SUBFLOW, { wait: false });
    expect(quick.effectsOf('StartSubflow', quick.last)[0].wait).toBe(false);
  });

  it('Flow (0.x) neither waits nor transmits by default', () => {
    const h = run(FLOW);
    const [start] = h.effectsOf('StartSubflow', h.last);
    expect(start.wait).toBe(false);
    const w = run(FLOW, { wait: true });
    const [ws] = w.effectsOf('StartSubflow', w.last);
    w.send({ type: 'SubflowEnded', taskRunId: ws.parentTaskRunId, childExecutionId: ws.childExecutionId, state: 'FAILED' });
    expect(w.run('call').state.current).toBe('SUCCESS');
  });
});

describe('Subflow failures of the child', () => {
  const failure = { code: 'TASK_FAILED', message: 'subflow n.child (execution c1) failed in task boom: no' } as const;
  const ended = (extra: Record<string, unknown>) => {
    const h = Harness.start(flow([{ id: 'call', type: SUBFLOW, namespace: 'n', flowId: 'child', ...extra }, { id: 'after', type: RETURN }]));
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED', failure });
    return h;
  };

  it('with transmitFailed false, ends SUCCESS without the child\'s error and the flow carries on', () => {
    const h = ended({ transmitFailed: false });
    expect(h.run('call').state.current).toBe('SUCCESS');
    expect(h.run('call').error).toBeUndefined();
    expect(h.run('call').outputs).toMatchObject({ state: 'FAILED' });
    expect(h.pending().map((w) => w.taskId)).toEqual(['after']);
  });

  it('when it transmits the failure, ends FAILED with the child\'s reason, naming this flow and task', () => {
    const h = ended({});
    expect(h.run('call').state.current).toBe('FAILED');
    expect(h.run('call').error).toMatchObject({ code: 'TASK_FAILED', message: failure.message, flow: 'test.f', task: 'call' });
    expect(h.state).toBe('FAILED');
  });

  it('with allowFailure, a transmitted failure ends the run WARNING and the flow carries on', () => {
    const h = ended({ allowFailure: true });
    expect(h.run('call').state.current).toBe('WARNING');
    expect(h.run('call').error?.message).toBe(failure.message);
    expect(h.pending().map((w) => w.taskId)).toEqual(['after']);
  });

  it('still fails when the child\'s outputs could not be rendered, transmitFailed false or not', () => {
    const h = Harness.start(flow([{ id: 'call', type: SUBFLOW, namespace: 'n', flowId: 'child', transmitFailed: false }]));
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'SUCCESS', error: { code: 'EXPRESSION', message: 'outputs could not be rendered' } });
    expect(h.run('call').state.current).toBe('FAILED');
    expect(h.state).toBe('FAILED');
  });
});

describe('Subflow attempts', () => {
  it('records one attempt when the run ends, in the run\'s own end state', () => {
    const h = Harness.start(flow([{ id: 'call', type: SUBFLOW, namespace: 'n', flowId: 'child', transmitFailed: false }]));
    const [start] = h.effectsOf('StartSubflow', h.last);
    expect(h.run('call').attempts).toEqual([]);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'WARNING' });
    expect(h.run('call').attempts.map((a) => a.state.histories.map((x) => x.state))).toEqual([['CREATED', 'SUCCESS']]);
    expect(h.run('call').state.current).toBe('SUCCESS');
  });

  it('records a FAILED attempt when the child could not run, and a SUCCESS one for a run that does not wait', () => {
    const h = Harness.start(flow([{ id: 'call', type: SUBFLOW, namespace: 'n', flowId: 'child' }]));
    const [start] = h.effectsOf('StartSubflow', h.last);
    h.send({ type: 'SubflowEnded', taskRunId: start.parentTaskRunId, childExecutionId: start.childExecutionId, state: 'FAILED', error: { code: 'NOT_FOUND', message: 'unknown subflow' } });
    expect(h.run('call').attempts.map((a) => a.state.current)).toEqual(['FAILED']);
    const q = Harness.start(flow([{ id: 'call', type: SUBFLOW, namespace: 'n', flowId: 'child', wait: false }]));
    const [qs] = q.effectsOf('StartSubflow', q.last);
    q.send({ type: 'SubflowStarted', taskRunId: qs.parentTaskRunId, childExecutionId: qs.childExecutionId });
    expect(q.run('call').attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);
  });
});
