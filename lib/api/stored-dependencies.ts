// Kestra's flow dependencies answered from the references kept in a FlowDependencyStore: a query reads
// the flows it touches (the flow, its callers, its sources, its listeners) and never every flow, except
// for a Flow trigger that names no flow at all, which listens to every flow, as in Kestra.
import { flowKey } from '../model/flow';
import type { FlowDependencyStore, FlowRefs } from '../ports/flow-dependency-store';
import { bucketsOf, matches, type DependencyQuery } from './dependencies';
import { DependencyRelation, type FlowDependencies } from './service';

export class StoredDependencies {
  constructor(private readonly store: FlowDependencyStore) {}

  /** The flow's edges, or with expandAll every edge reachable from it. */
  async dependencies(namespace: string, id: string, q: DependencyQuery = {}): Promise<FlowDependencies> {
    const self = await this.store.get(namespace, id);
    return new Walk(this.store).graph(self ? [self] : [], q);
  }

  /** The edges of every flow of a namespace (not its sub-namespaces), with the flows at their other ends. */
  async namespaceDependencies(namespace: string, q: DependencyQuery = {}): Promise<FlowDependencies> {
    return new Walk(this.store).graph(await this.store.inNamespace(namespace), q);
  }

  /** Other flows that would break if the flow went away: those that call it and those that listen to it. */
  async dependents(namespace: string, id: string): Promise<string[]> {
    const self = await this.store.get(namespace, id);
    if (!self) return [];
    const walk = new Walk(this.store);
    const out = new Set<string>((await this.store.callersOf(namespace, id)).map((r) => r.uid));
    for (const l of await walk.listenersOf(self)) out.add(l.uid);
    out.delete(self.uid);
    return [...out].sort();
  }
}

/** One query over the store. */
class Walk {
  constructor(private readonly store: FlowDependencyStore) {}

  async graph(start: FlowRefs[], q: DependencyQuery): Promise<FlowDependencies> {
    const nodes = new Map<string, FlowDependencies['nodes'][number]>();
    const edges: FlowDependencies['edges'] = [];
    const seenEdges = new Set<string>();
    const node = (r: FlowRefs): void => {
      if (!nodes.has(r.uid)) nodes.set(r.uid, { uid: r.uid, namespace: r.namespace, id: r.id });
    };
    const queue = [...start];
    const visited = new Set(queue.map((r) => r.uid));
    // Breadth first over visited flows, so a cycle is walked once.
    for (let i = 0; i < queue.length; i += 1) {
      const self = queue[i];
      node(self);
      for (const e of await this.edgesOf(self, q.destinationOnly)) {
        const key = `${e.source.uid}>${e.target.uid}>${e.relation}`;
        if (seenEdges.has(key)) continue;
        seenEdges.add(key);
        edges.push({ source: e.source.uid, target: e.target.uid, relation: e.relation });
        node(e.source);
        node(e.target);
        if (!q.expandAll) continue;
        for (const next of [e.source, e.target]) {
          if (!visited.has(next.uid)) {
            visited.add(next.uid);
            queue.push(next);
          }
        }
      }
    }
    return { nodes: [...nodes.values()], edges };
  }

  /** Into the flow (callers, the flows it listens to) and, unless destinationOnly, out of it. */
  private async edgesOf(self: FlowRefs, destinationOnly = false): Promise<Array<{ source: FlowRefs; target: FlowRefs; relation: DependencyRelation }>> {
    const edges: Array<{ source: FlowRefs; target: FlowRefs; relation: DependencyRelation }> = [];
    for (const caller of await this.store.callersOf(self.namespace, self.id)) edges.push({ source: caller, target: self, relation: DependencyRelation.FLOW_TASK });
    for (const source of await this.sourcesOf(self)) edges.push({ source, target: self, relation: DependencyRelation.FLOW_TRIGGER });
    if (!destinationOnly) {
      const seen = new Set<string>();
      for (const s of self.subflows) {
        const target = await this.store.get(s.namespace, s.id);
        if (target && !seen.has(target.uid)) {
          seen.add(target.uid);
          edges.push({ source: self, target, relation: DependencyRelation.FLOW_TASK });
        }
      }
      for (const target of await this.listenersOf(self)) edges.push({ source: self, target, relation: DependencyRelation.FLOW_TRIGGER });
    }
    return edges.filter((e) => e.source.uid !== e.target.uid);
  }

  /** Flows whose Flow trigger accepts an execution of `source`: the store's candidates, matched. */
  async listenersOf(source: FlowRefs): Promise<FlowRefs[]> {
    return (await this.store.listenersOf(source)).filter((l) => l.listens.some((p) => matches(p, source)));
  }

  /** Flows an execution of which the listener's Flow triggers accept, read by the keys its patterns name. */
  private async sourcesOf(listener: FlowRefs): Promise<FlowRefs[]> {
    if (listener.listens.length === 0) return [];
    const candidates = new Map<string, FlowRefs>();
    const addAll = (rs: FlowRefs[]): void => {
      for (const r of rs) candidates.set(flowKey(r.namespace, r.id), r);
    };
    for (const p of listener.listens) {
      const buckets = bucketsOf(p);
      if (buckets === null) {
        addAll(await this.store.inNamespace('', { prefix: true }));
        break;
      }
      for (const b of buckets) {
        if (b.startsWith('flow:')) {
          const cut = b.lastIndexOf('/');
          const r = await this.store.get(b.slice(5, cut), b.slice(cut + 1));
          if (r) addAll([r]);
        } else if (b.startsWith('ns:')) {
          addAll(await this.store.inNamespace(b.slice(3)));
        } else {
          addAll(await this.store.inNamespace(b.slice(4), { prefix: true }));
        }
      }
    }
    return [...candidates.values()].filter((f) => listener.listens.some((p) => matches(p, f))).sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
  }
}
