import { dependenciesOf, dependentsOf, referencesOf } from '../../../lib/api/dependencies';
import type { Flow } from '../../../lib/model/flow';
import { catalog } from '../../../lib/plugins/catalog';

const C = 'io.kestra.core.models.conditions.types.';
const ret = { id: 'r', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' };
const flow = (namespace: string, id: string, extra: Partial<Flow> = {}): Flow => ({ id, namespace, tasks: [ret], ...extra });
const cat = catalog();

const parent = flow('n', 'parent', {
  tasks: [{ id: 'par', type: 'io.kestra.core.tasks.flows.Parallel', tasks: [{ id: 'call', type: 'io.kestra.plugin.core.flow.Subflow', namespace: 'n', flowId: 'child' }] }],
});
const dynamic = flow('n', 'dynamic', { tasks: [{ id: 'call', type: 'io.kestra.core.tasks.flows.Flow', namespace: 'n', flowId: '{{ inputs.which }}' }] });
const listener = flow('n', 'listener', {
  triggers: [{
    id: 'after', type: 'io.kestra.core.models.triggers.types.Flow',
    conditions: [{ type: `${C}MultipleCondition`, id: 'm', conditions: { a: { type: `${C}ExecutionFlowCondition`, namespace: 'n', flowId: 'child' }, b: { type: `${C}OrCondition`, conditions: [{ type: `${C}ExecutionFlowCondition`, namespace: 'n', flowId: 'other' }] } } }],
  }],
});
const all = [parent, dynamic, listener, flow('n', 'child'), flow('n', 'other')];

describe('flow dependencies', () => {
  it('finds subflow calls at any depth, under any alias, and ignores templated targets', () => {
    expect(referencesOf(parent, cat)).toEqual([{ source: { namespace: 'n', id: 'parent' }, target: { namespace: 'n', id: 'child' }, relation: 'FLOW_TASK' }]);
    expect(referencesOf(dynamic, cat)).toEqual([]);
  });

  it('finds the flows a Flow trigger listens to, inside MultipleCondition and OrCondition', () => {
    expect(referencesOf(listener, cat).map((r) => `${r.source.id}>${r.target.id}:${r.relation}`)).toEqual(['child>listener:FLOW_TRIGGER', 'other>listener:FLOW_TRIGGER']);
  });

  it('lists the flows that would break without a flow', () => {
    expect(dependentsOf('n', 'child', all, cat)).toEqual(['n.listener', 'n.parent']);
    expect(dependentsOf('n', 'parent', all, cat)).toEqual([]);
  });

  it('gives the topology around a flow in both directions', () => {
    expect(dependenciesOf('n', 'child', all, cat)).toEqual({
      nodes: [{ uid: 'n.child', namespace: 'n', id: 'child' }, { uid: 'n.parent', namespace: 'n', id: 'parent' }, { uid: 'n.listener', namespace: 'n', id: 'listener' }],
      edges: [{ source: 'n.parent', target: 'n.child', relation: 'FLOW_TASK' }, { source: 'n.child', target: 'n.listener', relation: 'FLOW_TRIGGER' }],
    });
  });
});
