// The in-memory dependency index that Aloft used before the edges were kept in the store: the
// reference model StoredDependencies (lib/api/stored-dependencies.ts) is checked against.
import { matches, type DependencyQuery } from '../../lib/api/dependencies';
import { DependencyRelation, type FlowDependencies } from '../../lib/api/service';
import { flowKey } from '../../lib/model/flow';
import { ANY, bucketsOf, flowBucket, nsBucket, prefixBucket, type FlowRef, type FlowRefs } from '../../lib/ports/flow-dependency-store';

/**
 * The dependency edges of every flow, kept up to date flow by flow: a save files the flow's references
 * under a few buckets (subflow targets, the flows and namespaces its triggers name), so that neither a
 * save nor a query looks at every flow. Only a Flow trigger that names no flow at all listens to
 * every flow, as in Kestra, and its upstream side lists them all.
 */
export class DependencyIndex {
  private readonly flows = new Map<string, FlowRefs>();
  private readonly byNamespace = new Map<string, Set<string>>();
  /** subflow uid -> flows that call it. */
  private readonly callers = new Map<string, Set<string>>();
  /** bucket -> listener flows filed under it. */
  private readonly listeners = new Map<string, Set<string>>();
  private readonly filed = new Map<string, string[]>();
  private readonly prefixLengths = new Map<number, number>();

  /** Files the flow's references, replacing those of its earlier revision. */
  set(refs: FlowRefs): void {
    this.remove(refs.namespace, refs.id);
    this.flows.set(refs.uid, refs);
    add(this.byNamespace, refs.namespace, refs.uid);
    for (const s of refs.subflows) add(this.callers, flowKey(s.namespace, s.id), refs.uid);
    const buckets = new Set<string>();
    for (const p of refs.listens) for (const b of bucketsOf(p) ?? [ANY]) buckets.add(b);
    for (const b of buckets) {
      add(this.listeners, b, refs.uid);
      if (b.startsWith('nsp:')) this.prefixLengths.set(b.length - 4, (this.prefixLengths.get(b.length - 4) ?? 0) + 1);
    }
    this.filed.set(refs.uid, [...buckets]);
  }

  remove(namespace: string, id: string): void {
    const uid = flowKey(namespace, id);
    const refs = this.flows.get(uid);
    if (!refs) return;
    this.flows.delete(uid);
    drop(this.byNamespace, namespace, uid);
    for (const s of refs.subflows) drop(this.callers, flowKey(s.namespace, s.id), uid);
    for (const b of this.filed.get(uid) ?? []) {
      drop(this.listeners, b, uid);
      if (b.startsWith('nsp:')) {
        const n = (this.prefixLengths.get(b.length - 4) ?? 0) - 1;
        if (n <= 0) this.prefixLengths.delete(b.length - 4);
        else this.prefixLengths.set(b.length - 4, n);
      }
    }
    this.filed.delete(uid);
  }

  has(namespace: string, id: string): boolean {
    return this.flows.has(flowKey(namespace, id));
  }

  size(): number {
    return this.flows.size;
  }

  /** The edges of one flow: into it (callers, the flows it listens to) and, unless destinationOnly, out of it. */
  edgesOf(uid: string, destinationOnly = false): FlowDependencies['edges'] {
    const self = this.flows.get(uid);
    if (!self) return [];
    const edges: FlowDependencies['edges'] = [];
    for (const caller of this.callers.get(uid) ?? []) edges.push({ source: caller, target: uid, relation: DependencyRelation.FLOW_TASK });
    for (const source of this.sourcesOf(self)) edges.push({ source, target: uid, relation: DependencyRelation.FLOW_TRIGGER });
    if (!destinationOnly) {
      for (const s of self.subflows) {
        const target = flowKey(s.namespace, s.id);
        if (this.flows.has(target)) edges.push({ source: uid, target, relation: DependencyRelation.FLOW_TASK });
      }
      for (const target of this.listenersOf(self)) edges.push({ source: uid, target, relation: DependencyRelation.FLOW_TRIGGER });
    }
    return edges.filter((e) => e.source !== e.target);
  }

  /** Kestra's flow dependencies: the flow's edges, or with expandAll every edge reachable from it. */
  dependencies(namespace: string, id: string, q: DependencyQuery = {}): FlowDependencies {
    return this.graph([flowKey(namespace, id)], q);
  }

  /** The edges of every flow of a namespace (not its sub-namespaces), with the flows at their other ends. */
  namespaceDependencies(namespace: string, q: DependencyQuery = {}): FlowDependencies {
    return this.graph([...(this.byNamespace.get(namespace) ?? [])].sort(), q);
  }

  /** Other flows that would break if the flow went away: those that call it and those that listen to it. */
  dependents(namespace: string, id: string): string[] {
    const uid = flowKey(namespace, id);
    const self = this.flows.get(uid);
    if (!self) return [];
    const out = new Set<string>(this.callers.get(uid) ?? []);
    for (const l of this.listenersOf(self)) out.add(l);
    out.delete(uid);
    return [...out].sort();
  }

  private graph(start: string[], q: DependencyQuery): FlowDependencies {
    const nodes = new Map<string, FlowDependencies['nodes'][number]>();
    const edges: FlowDependencies['edges'] = [];
    const seenEdges = new Set<string>();
    const node = (uid: string): void => {
      const f = this.flows.get(uid);
      if (f && !nodes.has(uid)) nodes.set(uid, { uid, namespace: f.namespace, id: f.id });
    };
    const queue = start.filter((u) => this.flows.has(u));
    const visited = new Set(queue);
    // Breadth first over visited flows, so a cycle is walked once.
    for (let i = 0; i < queue.length; i += 1) {
      const uid = queue[i];
      node(uid);
      for (const e of this.edgesOf(uid, q.destinationOnly)) {
        const key = `${e.source}>${e.target}>${e.relation}`;
        if (seenEdges.has(key)) continue;
        seenEdges.add(key);
        edges.push(e);
        node(e.source);
        node(e.target);
        if (q.expandAll) {
          for (const next of [e.source, e.target]) {
            if (!visited.has(next)) {
              visited.add(next);
              queue.push(next);
            }
          }
        }
      }
    }
    return { nodes: [...nodes.values()], edges };
  }

  /** Flows whose Flow trigger accepts an execution of `source`. */
  private listenersOf(source: FlowRef): string[] {
    const buckets = [flowBucket(source.namespace, source.id), nsBucket(source.namespace), ANY];
    for (const n of this.prefixLengths.keys()) if (n <= source.namespace.length) buckets.push(prefixBucket(source.namespace.slice(0, n)));
    const out = new Set<string>();
    for (const b of buckets) {
      for (const uid of this.listeners.get(b) ?? []) {
        if (out.has(uid)) continue;
        if (this.flows.get(uid)!.listens.some((p) => matches(p, source))) out.add(uid);
      }
    }
    return [...out].sort();
  }

  /** Flows an execution of which the listener's Flow triggers accept. */
  private sourcesOf(listener: FlowRefs): string[] {
    const candidates = new Set<string>();
    for (const p of listener.listens) {
      const buckets = bucketsOf(p);
      if (buckets === null) {
        for (const uid of this.flows.keys()) candidates.add(uid);
        break;
      }
      for (const b of buckets) {
        if (b.startsWith('flow:')) {
          const [namespace, id] = [b.slice(5, b.lastIndexOf('/')), b.slice(b.lastIndexOf('/') + 1)];
          const uid = flowKey(namespace, id);
          if (this.flows.has(uid)) candidates.add(uid);
        } else if (b.startsWith('ns:')) {
          for (const uid of this.byNamespace.get(b.slice(3)) ?? []) candidates.add(uid);
        } else {
          const prefix = b.slice(4);
          for (const [ns, uids] of this.byNamespace) if (ns.startsWith(prefix)) for (const uid of uids) candidates.add(uid);
        }
      }
    }
    return [...candidates].filter((uid) => {
      const f = this.flows.get(uid)!;
      return listener.listens.some((p) => matches(p, f));
    }).sort();
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function drop(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
