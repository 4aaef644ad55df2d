import { MemoryTriggerStateStore } from '../../../lib/adapters/local/trigger-state';
import type { Execution } from '../../../lib/model/execution';
import type { Flow } from '../../../lib/model/flow';
import type { State } from '../../../lib/model/states';
import type { ParsedTriggerOf } from '../../../lib/triggers/catalog';
import { evaluateFlowTriggers, type FlowTriggerDeps } from '../../../lib/triggers/flow-evaluate';
import { FlowTriggerIndex } from '../../../lib/triggers/flow-index';
import { collectingReporter, flowWith, parsed, recordingStart, renderer } from './fixtures';

const T = 'io.kestra.core.models.conditions.types.';
const FLOW = 'io.kestra.core.models.triggers.types.Flow';
const onFlow = (namespace: string, flowId: string) => ({ type: `${T}ExecutionFlowCondition`, namespace, flowId });
const status = (...states: string[]) => ({ type: `${T}ExecutionStatusCondition`, in: states });
const at = (iso: string): Date => new Date(iso);

function upstream(id: string, flowId: string, state: State, extra: Partial<Execution> = {}): Execution {
  return {
    id, namespace: 'io.aloft.up', flowId, flowRevision: 2, inputs: { day: '2024-03-14' },
    state: { current: state, histories: [{ state: 'CREATED', date: '2024-03-14T10:00:00.000Z' }, { state, date: '2024-03-14T10:00:01.000Z' }] },
    taskRunList: [{
      id: 'tr1', executionId: id, namespace: 'io.aloft.up', flowId, taskId: 'export', attempts: [], outputs: { uri: `kestra:///io/aloft/up/${flowId}/file.csv` },
      state: { current: 'SUCCESS', histories: [] },
    }],
    version: 3, ...extra,
  };
}

function setup(downstream: Array<{ flow: Flow; triggers: Record<string, unknown>[] }>) {
  const index = new FlowTriggerIndex();
  for (const d of downstream) {
    index.set(d.flow, d.triggers.map((t) => parsed({ type: FLOW, ...t } as never) as ParsedTriggerOf<'Flow'>));
  }
  const executions = new Map<string, Execution>();
  const { start, calls } = recordingStart();
  const { report, reports } = collectingReporter();
  const deps: FlowTriggerDeps = {
    index, state: new MemoryTriggerStateStore(), renderer, start, report,
    loadExecution: async (id) => executions.get(id) ?? null,
  };
  const end = async (e: Execution, now = at('2024-03-14T10:00:02Z')) => {
    executions.set(e.id, e);
    return evaluateFlowTriggers(deps, { id: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: e.flowRevision, state: e.state.current }, now);
  };
  return { end, calls, reports, deps };
}

describe('evaluateFlowTriggers', () => {
  it('starts the listening flow with trigger variables and inputs rendered from the ended execution', async () => {
    const down = flowWith('io.aloft.down', 'report', [], { inputs: [{ id: 'file', type: 'STRING', required: true }] });
    const { end, calls } = setup([{
      flow: down,
      triggers: [{ id: 'after-export', conditions: [onFlow('io.aloft.up', 'export'), status('SUCCESS')], inputs: { file: '{{ outputs.export.uri }} from {{ trigger.executionId }}' } }],
    }]);
    const started = await end(upstream('up1', 'export', 'SUCCESS'));
    expect(started).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      flow: { namespace: 'io.aloft.down', id: 'report' },
      inputs: { file: 'kestra:///io/aloft/up/export/file.csv from up1' },
      trigger: { id: 'after-export', type: FLOW, variables: { executionId: 'up1', namespace: 'io.aloft.up', flowId: 'export', flowRevision: 2, state: 'SUCCESS' } },
    });
  });

  it('starts nothing when a condition does not hold', async () => {
    const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [{ id: 't', conditions: [onFlow('io.aloft.up', 'export'), status('FAILED')] }] }]);
    expect(await end(upstream('up1', 'export', 'SUCCESS'))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('starts once for a re-published ExecutionEnded, and again when the upstream is restarted and ends again', async () => {
    const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [{ id: 't', conditions: [onFlow('io.aloft.up', 'export')] }] }]);
    const first = upstream('up1', 'export', 'FAILED');
    await end(first);
    await end(first);
    expect(calls).toHaveLength(1);
    const restarted = { ...first, state: { current: 'SUCCESS' as const, histories: [...first.state.histories, { state: 'RESTARTED' as const, date: 'x' }, { state: 'SUCCESS' as const, date: 'y' }] } };
    await end(restarted);
    expect(calls).toHaveLength(2);
  });

  it('uses VariableCondition on the ended execution outputs', async () => {
    const cond = { type: `${T}VariableCondition`, expression: "{{ outputs.export.uri is defined and inputs.day == '2024-03-14' }}" };
    const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [{ id: 't', conditions: [onFlow('io.aloft.up', 'export'), cond] }] }]);
    await end(upstream('up1', 'export', 'SUCCESS'));
    expect(calls).toHaveLength(1);
  });

  it('reports inputs that fail to render with the flow and trigger named, and does not throw', async () => {
    const { end, calls, reports, deps } = setup([{ flow: flowWith('d', 'f'), triggers: [{ id: 't', conditions: [onFlow('io.aloft.up', 'export')], inputs: { x: '{{ outputs.nope.value }}' } }] }]);
    deps.start = async () => { throw new Error('unreachable'); };
    await expect(end(upstream('up1', 'export', 'SUCCESS'))).resolves.toEqual([]);
    expect(calls).toEqual([]);
    expect(reports[0]).toMatchObject({ level: 'ERROR', flow: 'd.f', trigger: 't', executionId: 'up1', error: { code: 'EXPRESSION' } });
  });

  it('uses the ended execution it is given instead of reading it', async () => {
    const { calls, deps } = setup([{ flow: flowWith('d', 'f'), triggers: [{ id: 't', conditions: [onFlow('io.aloft.up', 'export')], inputs: { x: '{{ outputs.export.uri }}' } }] }]);
    deps.loadExecution = async () => { throw new Error('read'); };
    const e = upstream('up1', 'export', 'SUCCESS');
    await evaluateFlowTriggers(deps, { id: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: 2, state: 'SUCCESS' }, at('2024-03-14T10:00:02Z'), e);
    expect(calls[0].inputs).toEqual({ x: 'kestra:///io/aloft/up/export/file.csv' });
  });

  it('never fires a trigger on an execution that same trigger started', async () => {
    const self = flowWith('io.aloft.up', 'loop');
    const { end, calls } = setup([{ flow: self, triggers: [{ id: 'again', conditions: [onFlow('io.aloft.up', 'loop')] }] }]);
    await end(upstream('first', 'loop', 'SUCCESS'));
    expect(calls).toHaveLength(1);
    await end(upstream('second', 'loop', 'SUCCESS', { trigger: { id: 'again', type: FLOW, variables: {} } }));
    expect(calls).toHaveLength(1);
  });

  describe('with a MultipleCondition', () => {
    const multiple = (window = 'P1D') => ({
      id: 'both', conditions: [{
        type: `${T}MultipleCondition`, id: 'ab', window, windowAdvance: 'P0D',
        conditions: { success: status('SUCCESS'), a: onFlow('io.aloft.up', 'a'), b: onFlow('io.aloft.up', 'b') },
      }],
    });

    it('fires once every condition has been true within the window, then starts over', async () => {
      const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [multiple()] }]);
      await end(upstream('a1', 'a', 'SUCCESS'), at('2024-03-14T09:00:00Z'));
      expect(calls).toHaveLength(0);
      await end(upstream('a2', 'a', 'SUCCESS'), at('2024-03-14T10:00:00Z'));
      expect(calls).toHaveLength(0);
      await end(upstream('b1', 'b', 'SUCCESS'), at('2024-03-14T11:00:00Z'));
      expect(calls).toHaveLength(1);
      expect(calls[0].trigger.variables).toMatchObject({ executionId: 'b1', flowId: 'b' });
      await end(upstream('b2', 'b', 'SUCCESS'), at('2024-03-14T12:00:00Z'));
      expect(calls).toHaveLength(1);
      await end(upstream('a3', 'a', 'SUCCESS'), at('2024-03-14T13:00:00Z'));
      expect(calls).toHaveLength(2);
    });

    it('forgets results from a window that expired', async () => {
      const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [multiple('PT1H')] }]);
      await end(upstream('a1', 'a', 'SUCCESS'), at('2024-03-14T09:30:00Z'));
      await end(upstream('b1', 'b', 'SUCCESS'), at('2024-03-14T10:30:00Z'));
      expect(calls).toHaveLength(0);
      await end(upstream('a2', 'a', 'SUCCESS'), at('2024-03-14T10:45:00Z'));
      expect(calls).toHaveLength(1);
    });

    it('keeps per-condition results apart per trigger and fires each trigger once when they race', async () => {
      const { end, calls, deps } = setup([{ flow: flowWith('d', 'f'), triggers: [multiple()] }, { flow: flowWith('d', 'g'), triggers: [multiple()] }]);
      await end(upstream('a1', 'a', 'SUCCESS'));
      await Promise.all([end(upstream('b1', 'b', 'SUCCESS')), end(upstream('b2', 'b', 'SUCCESS'))]);
      expect(calls.map((c) => c.flow.id).sort()).toEqual(['f', 'g']);
      expect(await deps.state.getWindow('d:f:both', 'ab')).toMatchObject({ results: { success: true, b: true } });
    });

    it('does not count a failed execution toward a success-only condition', async () => {
      const { end, calls } = setup([{ flow: flowWith('d', 'f'), triggers: [multiple()] }]);
      await end(upstream('a1', 'a', 'FAILED'));
      await end(upstream('b1', 'b', 'FAILED'));
      expect(calls).toHaveLength(0);
    });
  });
});
