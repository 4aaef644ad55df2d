// StoredDependencies answers from a FlowDependencyStore what DependencyIndex answers in memory: the same
// graph over the same flows, reading only the records a query touches.
import { MemoryFlowDependencyStore } from '../../../lib/adapters/local/flow-dependency-store';
import { refsOf } from '../../../lib/api/dependencies';
import { DependencyIndex } from '../../helpers/dependency-index';
import { StoredDependencies } from '../../../lib/api/stored-dependencies';
import type { Flow } from '../../../lib/model/flow';
import { catalog } from '../../../lib/plugins/catalog';
import type { FlowDependencyStore, FlowRef, FlowRefs } from '../../../lib/ports/flow-dependency-store';

const C = 'io.kestra.core.models.conditions.types.';
const FLOW_TRIGGER = 'io.kestra.core.models.triggers.types.Flow';
const ret = { id: 'r', type: 'io.kestra.core.tasks.debugs.Return', format: 'x' };
const cat = catalog();
const NS = ['a', 'a.b', 'a.c', 'b', 'ab'];

/** Flow i: a mix of subflow calls and Flow triggers naming a flow, a namespace, a prefix, or nothing. */
function flowAt(i: number): Flow {
  const ns = NS[i % NS.length];
  const other = (k: number) => ({ namespace: NS[k % NS.length], flowId: `f${k}` });
  const tasks: Flow['tasks'] = [ret];
  if (i % 4 === 0) tasks.push({ id: 'call', type: 'io.kestra.plugin.core.flow.Subflow', ...other((i * 7 + 3) % 60) });
  const conditions: unknown[][] = [
    [{ type: `${C}ExecutionFlowCondition`, ...other((i * 11 + 1) % 60) }],
    [{ type: `${C}ExecutionNamespaceCondition`, namespace: NS[(i + 1) % NS.length], prefix: i % 2 === 0 }],
    [{ type: `${C}ExecutionStatusCondition`, in: ['SUCCESS'] }],
    [{ type: `${C}MultipleCondition`, id: 'm', window: 'PT1H', conditions: { x: { type: `${C}ExecutionFlowCondition`, ...other(i + 2) }, y: { type: `${C}ExecutionNamespaceCondition`, namespace: 'a', prefix: true } } }],
    [{ type: `${C}ExecutionNamespaceCondition`, namespace: 'a', prefix: true }, { type: `${C}ExecutionFlowCondition`, namespace: 'a.b', flowId: `f${(i + 1) % 60}` }],
  ];
  const triggers = i % 3 === 0 ? [{ id: 't', type: FLOW_TRIGGER, conditions: conditions[(i / 3) % conditions.length] }] : undefined;
  return { id: `f${i}`, namespace: ns, tasks, ...(triggers ? { triggers } : {}) };
}

const sorted = <T>(xs: T[]): T[] => [...xs].sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
const same = (g: { nodes: unknown[]; edges: unknown[] }) => ({ nodes: sorted(g.nodes), edges: sorted(g.edges) });

/** Counts the records each query reads from the store. */
class Counting implements FlowDependencyStore {
  read = 0;
  wholeScans = 0;
  constructor(private readonly inner: FlowDependencyStore) {}
  save(refs: FlowRefs) { return this.inner.save(refs); }
  remove(namespace: string, id: string) { return this.inner.remove(namespace, id); }
  count() { return this.inner.count(); }
  async get(namespace: string, id: string) { const r = await this.inner.get(namespace, id); this.read += r ? 1 : 0; return r; }
  async callersOf(namespace: string, id: string) { return this.tally(await this.inner.callersOf(namespace, id)); }
  async listenersOf(source: FlowRef) { return this.tally(await this.inner.listenersOf(source)); }
  async inNamespace(namespace: string, opts?: { prefix?: boolean }) {
    if (namespace === '' && opts?.prefix) this.wholeScans += 1;
    return this.tally(await this.inner.inNamespace(namespace, opts));
  }
  private tally(rs: FlowRefs[]) { this.read += rs.length; return rs; }
}

describe('dependencies answered from the store', () => {
  it('gives the same graphs, dependents and namespace graphs as the in-memory index, in every query mode', async () => {
    const index = new DependencyIndex();
    const store = new MemoryFlowDependencyStore();
    for (let i = 0; i < 60; i++) {
      const refs = refsOf(flowAt(i), cat);
      index.set(refs);
      await store.save(refs);
    }
    const graph = new StoredDependencies(store);
    let edges = 0;
    for (let i = 0; i < 60; i++) {
      const [ns, id] = [NS[i % NS.length], `f${i}`];
      for (const q of [{}, { destinationOnly: true }, { expandAll: true }, { expandAll: true, destinationOnly: true }]) {
        const expected = index.dependencies(ns, id, q);
        edges += expected.edges.length;
        expect(same(await graph.dependencies(ns, id, q))).toEqual(same(expected));
      }
      expect(await graph.dependents(ns, id)).toEqual(index.dependents(ns, id));
    }
    for (const ns of [...NS, 'nowhere']) expect(same(await graph.namespaceDependencies(ns))).toEqual(same(index.namespaceDependencies(ns)));
    // The fixture is not trivial: there are edges to compare.
    expect(edges).toBeGreaterThan(200);
  });

  it('reads only the flows a query touches among 10,000, not every flow', async () => {
    const inner = new MemoryFlowDependencyStore();
    const store = new Counting(inner);
    // 10,000 flows: every third calls the next, every 100th listens to one namespace of 100.
    for (let i = 0; i < 10_000; i++) {
      const refs: FlowRefs = {
        uid: `ns${i % 100}.f${i}`, namespace: `ns${i % 100}`, id: `f${i}`,
        subflows: i % 3 === 0 ? [{ namespace: `ns${(i + 1) % 100}`, id: `f${i + 1}` }] : [],
        listens: i % 100 === 99 ? [{ kind: 'flow', namespace: `ns${(i + 1) % 100}`, id: `f${i + 1}` }] : [],
      };
      await store.save(refs);
    }
    const graph = new StoredDependencies(store);
    store.read = 0;
    expect(await graph.dependents('ns1', 'f1')).toEqual(['ns0.f0']);
    const dependentsRead = store.read;
    store.read = 0;
    const g = await graph.dependencies('ns0', 'f100', { expandAll: true });
    expect(g.edges.length).toBeGreaterThan(0);
    // A few flows around the one asked for; never the 10,000, nor every listener.
    expect(dependentsRead).toBeLessThan(10);
    expect(store.read).toBeLessThan(50);
    expect(store.wholeScans).toBe(0);
  });

  it('reads every flow only for a Flow trigger that names no flow, which listens to every flow', async () => {
    const store = new Counting(new MemoryFlowDependencyStore());
    await store.save(refsOf({ id: 'any', namespace: 'n', tasks: [ret], triggers: [{ id: 't', type: FLOW_TRIGGER, conditions: [{ type: `${C}ExecutionStatusCondition`, in: ['SUCCESS'] }] }] }, cat));
    await store.save(refsOf({ id: 'x', namespace: 'm', tasks: [ret] }, cat));
    const g = await new StoredDependencies(store).dependencies('n', 'any');
    expect(g.edges).toEqual([{ source: 'm.x', target: 'n.any', relation: 'FLOW_TRIGGER' }]);
    expect(store.wholeScans).toBe(1);
  });
});
