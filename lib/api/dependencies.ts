// Which flows depend on which, as Kestra's flow topology. FLOW_TASK: a flow runs another as a subflow
// (Flow, Subflow, ForEachItem). FLOW_TRIGGER: another flow's Flow trigger accepts an execution of this
// one, evaluated as Kestra does against a simulated execution: filter-only conditions (state, dates,
// expressions) hold, ExecutionFlow and ExecutionNamespace are evaluated, a MultipleCondition holds
// when any of its conditions does. An edge goes from the flow that runs first. Self-edges are dropped.
import type { TaskCatalog } from '../model/catalog';
import { AloftError, ErrorCode } from '../model/errors';
import { flowKey, type Flow } from '../model/flow';
import { isPlainObject } from '../model/flow-zod';
import { parseTrigger } from '../triggers/catalog';
import type { Condition } from '../triggers/conditions/types';
import { ANY, bucketsOf, flowBucket, nsBucket, prefixBucket, type FlowRef, type FlowRefs, type SourcePattern } from '../ports/flow-dependency-store';
import { DependencyRelation, type FlowDependencies } from './service';

const SUBFLOW = 'io.kestra.core.tasks.flows.Flow';
/** ForEachItem runs a subflow per batch; Aloft has no such task yet, but a flow naming one still depends on the subflow. */
const FOR_EACH_ITEM = new Set(['io.kestra.plugin.core.flow.ForEachItem', 'io.kestra.core.tasks.flows.ForEachItem']);

export type { FlowRef, FlowRefs, SourcePattern };
export { bucketsOf };

export function refsOf(flow: Flow, catalog: TaskCatalog): FlowRefs {
  const subflows = new Map<string, FlowRef>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!isPlainObject(value)) return;
    const { type, namespace, flowId } = value;
    const calls = typeof type === 'string' && (catalog.get(type)?.type === SUBFLOW || FOR_EACH_ITEM.has(type));
    if (calls && typeof namespace === 'string' && typeof flowId === 'string' && !namespace.includes('{{') && !flowId.includes('{{')) {
      subflows.set(flowKey(namespace, flowId), { namespace, id: flowId });
    }
    for (const v of Object.values(value)) visit(v);
  };
  visit(flow.tasks);
  visit(flow.errors ?? []);
  visit(flow.finally ?? []);
  visit(flow.afterExecution ?? []);
  const listens: SourcePattern[] = [];
  for (const t of flow.triggers ?? []) {
    const parsed = parseTrigger(t);
    if (parsed.ok !== true || parsed.trigger.kind !== 'Flow') continue;
    listens.push(simplify({ kind: 'and', of: parsed.trigger.conditions.map((c) => patternOf(c, flow)) }));
  }
  return { uid: flowKey(flow.namespace, flow.id), namespace: flow.namespace, id: flow.id, subflows: [...subflows.values()], listens };
}

/** A condition as a pattern over the source flow; conditions on the listener itself are decided here. */
function patternOf(c: Condition, self: Flow): SourcePattern {
  switch (c.kind) {
    case 'ExecutionFlow': return { kind: 'flow', namespace: c.namespace, id: c.flowId };
    case 'ExecutionNamespace': return { kind: 'namespace', namespace: c.namespace, prefix: c.prefix };
    // Kestra's MultipleCondition holds for an execution that satisfies any of its non-filter conditions.
    case 'Multiple': {
      const inner = Object.values(c.conditions).filter((x) => !isFilter(x));
      return inner.length === 0 ? { kind: 'any' } : { kind: 'or', of: inner.map((x) => patternOf(x, self)) };
    }
    case 'Or': {
      const inner = c.conditions.filter((x) => !isFilter(x));
      return inner.length < c.conditions.length ? { kind: 'any' } : { kind: 'or', of: inner.map((x) => patternOf(x, self)) };
    }
    case 'Flow': return self.namespace === c.namespace && self.id === c.flowId ? { kind: 'any' } : { kind: 'none' };
    case 'FlowNamespace': return (c.prefix ? self.namespace.startsWith(c.namespace) : self.namespace === c.namespace) ? { kind: 'any' } : { kind: 'none' };
    // Filter-only conditions (state, calendar, expressions) and negations say nothing about which flow ran.
    default: return { kind: 'any' };
  }
}

const isFilter = (c: Condition): boolean => c.kind !== 'ExecutionFlow' && c.kind !== 'ExecutionNamespace' && c.kind !== 'Multiple' && c.kind !== 'Or' && c.kind !== 'Flow' && c.kind !== 'FlowNamespace';

function simplify(p: SourcePattern): SourcePattern {
  if (p.kind === 'and') {
    const of = p.of.map(simplify).filter((x) => x.kind !== 'any');
    if (of.some((x) => x.kind === 'none')) return { kind: 'none' };
    return of.length === 0 ? { kind: 'any' } : of.length === 1 ? of[0] : { kind: 'and', of };
  }
  if (p.kind === 'or') {
    const of = p.of.map(simplify).filter((x) => x.kind !== 'none');
    if (of.some((x) => x.kind === 'any')) return { kind: 'any' };
    return of.length === 0 ? { kind: 'none' } : of.length === 1 ? of[0] : { kind: 'or', of };
  }
  return p;
}

export function matches(p: SourcePattern, source: FlowRef): boolean {
  switch (p.kind) {
    case 'any': return true;
    case 'none': return false;
    case 'flow': return p.namespace === source.namespace && p.id === source.id;
    case 'namespace': return p.prefix ? source.namespace.startsWith(p.namespace) : source.namespace === p.namespace;
    case 'or': return p.of.some((x) => matches(x, source));
    case 'and': return p.of.every((x) => matches(x, source));
  }
}


export interface DependencyQuery {
  /** Only the edges that end at the flow (what it depends on), as Kestra's `destinationOnly`. */
  destinationOnly?: boolean;
  /** Follow the graph from every flow reached; cycles end. */
  expandAll?: boolean;
}

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

/** CONFLICT when deleting a flow others depend on; `dependents` goes into the response for the UI and CLI to list. */
export class FlowHasDependentsError extends AloftError {
  constructor(flow: string, readonly dependents: string[]) {
    super(ErrorCode.CONFLICT, `flow ${flow} is used by ${dependents.join(', ')}; delete with ?force=true to delete it anyway`, { flow });
  }
}
