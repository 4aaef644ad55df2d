// The FlowDependencyStore contract, run against every adapter: memory, SQLite and Firestore.
import { StoredDependencies } from '../../../lib/api/stored-dependencies';
import type { FlowDependencyStore, FlowRefs, SourcePattern } from '../../../lib/ports/flow-dependency-store';
import { unique } from './helpers';

export interface FlowDependencyFixture {
  store: FlowDependencyStore;
  /** The same data, read by a fresh adapter (a restart, another cloud instance); absent when nothing outlives the adapter. */
  reopen?(): FlowDependencyStore;
  cleanup(): Promise<void>;
}

interface Spec { calls?: Array<[string, string]>; listens?: SourcePattern[] }
const refs = (namespace: string, id: string, spec: Spec = {}): FlowRefs => ({
  uid: `${namespace}.${id}`, namespace, id,
  subflows: (spec.calls ?? []).map(([n, i]) => ({ namespace: n, id: i })),
  listens: spec.listens ?? [],
});
const uids = (rs: FlowRefs[]): string[] => rs.map((r) => r.uid);

export function flowDependencyStoreContract(name: string, make: () => Promise<FlowDependencyFixture>): void {
  describe(`FlowDependencyStore contract: ${name}`, () => {
    let fx: FlowDependencyFixture;
    let store: FlowDependencyStore;
    let ns: string;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
      ns = `io.aloft.${unique('deps').replace('-', '')}`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('gives back a saved flow\'s references as they were, and null for a flow it never saw', async () => {
      const saved = refs(ns, 'a', { calls: [[ns, 'b']], listens: [{ kind: 'or', of: [{ kind: 'flow', namespace: ns, id: 'c' }, { kind: 'namespace', namespace: 'x', prefix: true }] }] });
      await store.save(saved);
      expect(await store.get(ns, 'a')).toEqual(saved);
      expect(await store.get(ns, 'nope')).toBeNull();
    });

    it('finds a flow\'s callers by the subflow, sorted, and follows a new revision that stops calling it', async () => {
      await store.save(refs(ns, 'z', { calls: [[ns, 'child']] }));
      await store.save(refs(ns, 'a', { calls: [[ns, 'child'], [ns, 'other']] }));
      await store.save(refs(ns, 'child'));
      expect(uids(await store.callersOf(ns, 'child'))).toEqual([`${ns}.a`, `${ns}.z`]);
      await store.save(refs(ns, 'z'));
      expect(uids(await store.callersOf(ns, 'child'))).toEqual([`${ns}.a`]);
      expect(uids(await store.callersOf(ns, 'other'))).toEqual([`${ns}.a`]);
    });

    it('keeps apart flows whose namespace.id read the same', async () => {
      await store.save(refs(`${ns}.a`, 'b', { calls: [[ns, 'child']] }));
      await store.save(refs(ns, 'a.b'));
      expect((await store.callersOf(ns, 'child')).map((r) => r.namespace)).toEqual([`${ns}.a`]);
      expect(await store.get(ns, 'a.b')).toEqual(refs(ns, 'a.b'));
    });

    it('finds a source\'s listeners by the flow, namespace, namespace prefix or any flow they are filed under', async () => {
      const src = { namespace: `${ns}.team`, id: 'src' };
      const mine = async (source = src) => uids((await store.listenersOf(source)).filter((r) => r.namespace === ns));
      await store.save(refs(ns, 'plain'));
      await store.save(refs(ns, 'byFlow', { listens: [{ kind: 'flow', namespace: src.namespace, id: 'src' }] }));
      await store.save(refs(ns, 'byNs', { listens: [{ kind: 'namespace', namespace: src.namespace, prefix: false }] }));
      await store.save(refs(ns, 'byPrefix', { listens: [{ kind: 'namespace', namespace: `${ns}.te`, prefix: true }] }));
      await store.save(refs(ns, 'any', { listens: [{ kind: 'and', of: [{ kind: 'any' }] }] }));
      await store.save(refs(ns, 'elsewhere', { listens: [{ kind: 'flow', namespace: src.namespace, id: 'other' }, { kind: 'namespace', namespace: `${ns}.x`, prefix: true }] }));
      expect(await mine()).toEqual([`${ns}.any`, `${ns}.byFlow`, `${ns}.byNs`, `${ns}.byPrefix`]);
      expect(await mine({ namespace: `${ns}.x.y`, id: 'z' })).toEqual([`${ns}.any`, `${ns}.elsewhere`]);
      await store.save(refs(ns, 'byPrefix'));
      await store.save(refs(ns, 'any'));
      expect(await mine()).toEqual([`${ns}.byFlow`, `${ns}.byNs`]);
    });

    it('lists a namespace\'s flows, or with a prefix every namespace that starts with it', async () => {
      for (const [n, id] of [[ns, 'b'], [ns, 'a'], [`${ns}.sub`, 'c'], [`${ns}x`, 'd'], ['other.ns', unique('e')]]) await store.save(refs(n, id));
      expect(uids(await store.inNamespace(ns))).toEqual([`${ns}.a`, `${ns}.b`]);
      expect(uids(await store.inNamespace(ns, { prefix: true }))).toEqual([`${ns}.a`, `${ns}.b`, `${ns}.sub.c`, `${ns}x.d`]);
      expect(uids(await store.inNamespace(`${ns}.`, { prefix: true }))).toEqual([`${ns}.sub.c`]);
      expect(uids(await store.inNamespace('', { prefix: true }))).toEqual(expect.arrayContaining([`${ns}.a`, `${ns}x.d`]));
      expect(await store.inNamespace(`${ns}.nowhere`)).toEqual([]);
    });

    it('forgets a removed flow everywhere, and removing it twice is harmless', async () => {
      await store.save(refs(ns, 'gone', { calls: [[ns, 'child']], listens: [{ kind: 'any' }] }));
      const before = await store.count();
      await store.remove(ns, 'gone');
      await store.remove(ns, 'gone');
      expect(await store.get(ns, 'gone')).toBeNull();
      expect(await store.callersOf(ns, 'child')).toEqual([]);
      expect((await store.listenersOf({ namespace: ns, id: 'x' })).filter((r) => r.namespace === ns)).toEqual([]);
      expect(await store.inNamespace(ns)).toEqual([]);
      expect(await store.count()).toBe(before - 1);
    });

    it('answers the API\'s dependency queries: subflow calls and Flow triggers, both ways', async () => {
      await store.save(refs(ns, 'parent', { calls: [[ns, 'child']] }));
      await store.save(refs(ns, 'child'));
      await store.save(refs(`${ns}.team`, 'listener', { listens: [{ kind: 'namespace', namespace: ns, prefix: false }] }));
      const graph = new StoredDependencies(store);
      expect(await graph.dependents(ns, 'child')).toEqual([`${ns}.parent`, `${ns}.team.listener`]);
      const expanded = await graph.dependencies(ns, 'child', { expandAll: true });
      expect(expanded.edges.map((e) => `${e.source}>${e.target}:${e.relation}`).sort()).toEqual([
        `${ns}.child>${ns}.team.listener:FLOW_TRIGGER`,
        `${ns}.parent>${ns}.child:FLOW_TASK`,
        `${ns}.parent>${ns}.team.listener:FLOW_TRIGGER`,
      ]);
    });

    it('keeps what it filed for the next adapter over the same data', async () => {
      if (!fx.reopen) return;
      const kept = refs(ns, 'kept', { calls: [[ns, 'child']], listens: [{ kind: 'flow', namespace: ns, id: 'child' }] });
      await store.save(kept);
      const again = fx.reopen();
      expect(uids(await again.callersOf(ns, 'child'))).toEqual([`${ns}.kept`]);
      expect(await again.get(ns, 'kept')).toEqual(kept);
    });
  });
}
