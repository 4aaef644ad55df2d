import { refsOf, type FlowRefs } from '../../../lib/api/dependencies';
import { DependencyIndex } from '../../helpers/dependency-index';
import type { Flow } from '../../../lib/model/flow';
import { catalog } from '../../../lib/plugins/catalog';

const C = 'io.kestra.core.models.conditions.types.';
const FLOW_TRIGGER = 'io.kestra.core.models.triggers.types.Flow';
const ret = { id: 'r', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' };
const flow = (namespace: string, id: string, extra: Partial<Flow> = {}): Flow => ({ id, namespace, tasks: [ret], ...extra });
const call = (namespace: string, flowId: string, type = 'io.kestra.plugin.core.flow.Subflow') => ({ id: `call-${flowId}`, type, namespace, flowId });
const listening = (namespace: string, id: string, conditions: unknown[]): Flow => flow(namespace, id, { triggers: [{ id: 't', type: FLOW_TRIGGER, conditions }] });
const onFlow = (namespace: string, flowId: string) => ({ type: `${C}ExecutionFlowCondition`, namespace, flowId });
const cat = catalog();

function indexOf(...flows: Flow[]): DependencyIndex {
  const index = new DependencyIndex();
  for (const f of flows) index.set(refsOf(f, cat));
  return index;
}
const edges = (g: { edges: Array<{ source: string; target: string; relation: string }> }): string[] => g.edges.map((e) => `${e.source}>${e.target}:${e.relation}`).sort();

const parent = flow('n', 'parent', { tasks: [{ id: 'par', type: 'io.kestra.core.tasks.flows.Parallel', tasks: [call('n', 'child')] }] });
const dynamic = flow('n', 'dynamic', { tasks: [call('n', '{{ inputs.which }}', 'io.kestra.core.tasks.flows.Flow')] });
const listener = listening('n', 'listener', [{
  type: `${C}MultipleCondition`, id: 'm', window: 'PT1H',
  conditions: { a: onFlow('n', 'child'), b: { type: `${C}OrCondition`, conditions: [onFlow('n', 'other')] }, s: { type: `${C}ExecutionStatusCondition`, in: ['SUCCESS'] } },
}]);
const all = [parent, dynamic, listener, flow('n', 'child'), flow('n', 'other')];

describe('flow dependencies', () => {
  it('finds subflow calls at any depth under the 0.x, 1.x and ForEachItem names, and ignores templated targets', () => {
    expect(refsOf(parent, cat).subflows).toEqual([{ namespace: 'n', id: 'child' }]);
    expect(refsOf(dynamic, cat).subflows).toEqual([]);
    const each = flow('n', 'each', { tasks: [call('n', 'a', 'io.kestra.core.tasks.flows.Flow'), call('n', 'b', 'io.kestra.plugin.core.flow.ForEachItem')] });
    expect(refsOf(each, cat).subflows).toEqual([{ namespace: 'n', id: 'a' }, { namespace: 'n', id: 'b' }]);
  });

  it('gives the edges around a flow in both directions, an edge going from the flow that runs first', () => {
    expect(indexOf(...all).dependencies('n', 'child')).toEqual({
      nodes: [{ uid: 'n.child', namespace: 'n', id: 'child' }, { uid: 'n.parent', namespace: 'n', id: 'parent' }, { uid: 'n.listener', namespace: 'n', id: 'listener' }],
      edges: [{ source: 'n.parent', target: 'n.child', relation: 'FLOW_TASK' }, { source: 'n.child', target: 'n.listener', relation: 'FLOW_TRIGGER' }],
    });
  });

  it('counts a MultipleCondition when any of its conditions accepts the flow, an OrCondition inside it included', () => {
    expect(edges(indexOf(...all).dependencies('n', 'listener'))).toEqual(['n.child>n.listener:FLOW_TRIGGER', 'n.other>n.listener:FLOW_TRIGGER']);
  });

  it('evaluates ExecutionNamespace, exact or as a prefix, and requires every top-level condition', () => {
    const exact = listening('x', 'exact', [{ type: `${C}ExecutionNamespaceCondition`, namespace: 'a.b' }]);
    const prefix = listening('x', 'prefix', [{ type: `${C}ExecutionNamespaceCondition`, namespace: 'a', prefix: true }]);
    const both = listening('x', 'both', [{ type: `${C}ExecutionNamespaceCondition`, namespace: 'a', prefix: true }, onFlow('a.b', 'one')]);
    const index = indexOf(exact, prefix, both, flow('a.b', 'one'), flow('a.c', 'two'), flow('b', 'three'));
    expect(edges(index.dependencies('x', 'exact'))).toEqual(['a.b.one>x.exact:FLOW_TRIGGER']);
    expect(edges(index.dependencies('x', 'prefix'))).toEqual(['a.b.one>x.prefix:FLOW_TRIGGER', 'a.c.two>x.prefix:FLOW_TRIGGER']);
    expect(edges(index.dependencies('x', 'both'))).toEqual(['a.b.one>x.both:FLOW_TRIGGER']);
    expect(index.dependents('a.c', 'two')).toEqual(['x.prefix']);
  });

  it('ignores filter-only conditions: a trigger on a state alone listens to every flow, as in Kestra', () => {
    const any = listening('x', 'any', [{ type: `${C}ExecutionStatusCondition`, in: ['FAILED'] }]);
    const index = indexOf(any, flow('a', 'one'), flow('b', 'two'));
    expect(edges(index.dependencies('x', 'any'))).toEqual(['a.one>x.any:FLOW_TRIGGER', 'b.two>x.any:FLOW_TRIGGER']);
    expect(index.dependents('b', 'two')).toEqual(['x.any']);
  });

  it('decides FlowCondition against the listener itself: a trigger meant for another flow listens to nothing', () => {
    const other = listening('x', 'l', [{ type: `${C}FlowCondition`, namespace: 'x', flowId: 'someone-else' }, onFlow('a', 'one')]);
    const self = listening('x', 'm', [{ type: `${C}FlowCondition`, namespace: 'x', flowId: 'm' }, onFlow('a', 'one')]);
    const index = indexOf(other, self, flow('a', 'one'));
    expect(index.dependents('a', 'one')).toEqual(['x.m']);
  });

  it('drops self-edges: a flow calling or listening to itself does not depend on itself', () => {
    const loop = flow('n', 'loop', { tasks: [call('n', 'loop')], triggers: [{ id: 't', type: FLOW_TRIGGER, conditions: [onFlow('n', 'loop')] }] });
    const index = indexOf(loop);
    expect(index.dependencies('n', 'loop').edges).toEqual([]);
    expect(index.dependents('n', 'loop')).toEqual([]);
  });

  it('lists only edges into the flow with destinationOnly', () => {
    expect(edges(indexOf(...all).dependencies('n', 'child', { destinationOnly: true }))).toEqual(['n.parent>n.child:FLOW_TASK']);
  });

  it('follows the graph with expandAll and stops on a cycle', () => {
    const a = flow('c', 'a', { tasks: [call('c', 'b')] });
    const b = flow('c', 'b', { tasks: [call('c', 'c')] });
    const c = flow('c', 'c', { tasks: [call('c', 'a')] });
    const d = listening('c', 'd', [onFlow('c', 'c')]);
    const index = indexOf(a, b, c, d, flow('c', 'alone'));
    expect(edges(index.dependencies('c', 'a'))).toEqual(['c.a>c.b:FLOW_TASK', 'c.c>c.a:FLOW_TASK']);
    const expanded = index.dependencies('c', 'a', { expandAll: true });
    expect(edges(expanded)).toEqual(['c.a>c.b:FLOW_TASK', 'c.b>c.c:FLOW_TASK', 'c.c>c.a:FLOW_TASK', 'c.c>c.d:FLOW_TRIGGER']);
    expect(expanded.nodes.map((n) => n.uid).sort()).toEqual(['c.a', 'c.b', 'c.c', 'c.d']);
  });

  it('gives the edges of a namespace\'s flows, not of its sub-namespaces', () => {
    const index = indexOf(...all, flow('n.sub', 'caller', { tasks: [call('n.sub', 'x')] }), flow('n.sub', 'x'));
    const g = index.namespaceDependencies('n');
    expect(edges(g)).toEqual(['n.child>n.listener:FLOW_TRIGGER', 'n.other>n.listener:FLOW_TRIGGER', 'n.parent>n.child:FLOW_TASK']);
    expect(index.namespaceDependencies('nowhere')).toEqual({ nodes: [], edges: [] });
  });

  it('lists the flows that would break without a flow, and forgets a deleted or changed flow', () => {
    const index = indexOf(...all);
    expect(index.dependents('n', 'child')).toEqual(['n.listener', 'n.parent']);
    expect(index.dependents('n', 'parent')).toEqual([]);
    index.remove('n', 'listener');
    index.set(refsOf(flow('n', 'parent'), cat));
    expect(index.dependents('n', 'child')).toEqual([]);
    expect(index.dependencies('n', 'child').edges).toEqual([]);
  });

  it('shows a subflow edge only once both flows exist', () => {
    const index = indexOf(parent);
    expect(index.dependencies('n', 'parent').edges).toEqual([]);
    index.set(refsOf(flow('n', 'child'), cat));
    expect(edges(index.dependencies('n', 'parent'))).toEqual(['n.parent>n.child:FLOW_TASK']);
  });

  it('reads a handful of flows, not all 10,000, to save one and answer its queries', () => {
    const index = new DependencyIndex();
    let reads = 0;
    // Counts how often a flow's trigger patterns are looked at.
    const counted = (refs: FlowRefs): FlowRefs => {
      const { listens } = refs;
      return Object.defineProperty({ ...refs }, 'listens', { get: () => { reads += 1; return listens; }, enumerable: true });
    };
    // Built by hand: parsing 10,000 triggers would only slow the test down.
    for (let i = 0; i < 10_000; i++) {
      const ns = `ns${i % 100}`;
      const other = (j: number) => ({ namespace: `ns${j % 100}`, id: `f${j}` });
      index.set(counted({
        uid: `${ns}.f${i}`, namespace: ns, id: `f${i}`,
        subflows: i % 2 === 0 ? [other(i + 1)] : [],
        listens: i % 2 === 1 ? [{ kind: 'flow', ...other(i - 1) }] : [],
      }));
    }
    reads = 0;
    index.set(counted(refsOf(flow('ns0', 'f0', { tasks: [call('ns1', 'f1')] }), cat)));
    expect(index.dependents('ns0', 'f0')).toEqual(['ns1.f1']);
    expect(index.dependents('ns2', 'f2')).toEqual(['ns3.f3']);
    expect(edges(index.dependencies('ns3', 'f3', { expandAll: true }))).toEqual(['ns2.f2>ns3.f3:FLOW_TRIGGER', 'ns2.f2>ns3.f3:FLOW_TASK'].sort());
    expect(reads).toBeLessThan(20);
  });
});
