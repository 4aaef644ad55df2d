// Which flows depend on which: a Flow (subflow) task calls another flow, a Flow trigger listens to
// another flow. Deleting a flow that others depend on is refused unless forced.
import type { TaskCatalog } from '../model/catalog';
import { flowKey, type Flow } from '../model/flow';
import { isPlainObject } from '../model/flow-zod';
import { parseTrigger } from '../triggers/catalog';
import type { Condition } from '../triggers/conditions/types';
import { DependencyRelation, type FlowDependencies } from './service';

const SUBFLOW = 'io.kestra.core.tasks.flows.Flow';

/** An edge from the flow whose execution leads to the other's: a parent to its subflow, an upstream flow to its listener. */
export interface FlowReference {
  source: { namespace: string; id: string };
  target: { namespace: string; id: string };
  relation: DependencyRelation;
}

/** References written in one flow: the subflows it calls and the flows its Flow triggers listen to. */
export function referencesOf(flow: Flow, catalog: TaskCatalog): FlowReference[] {
  const self = { namespace: flow.namespace, id: flow.id };
  const out: FlowReference[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v);
      return;
    }
    if (!isPlainObject(value)) return;
    const { type, namespace, flowId } = value;
    // A template names the subflow only at run time: it cannot be a static dependency.
    if (typeof type === 'string' && catalog.get(type)?.type === SUBFLOW && typeof namespace === 'string' && typeof flowId === 'string' && !namespace.includes('{{') && !flowId.includes('{{')) {
      out.push({ source: self, target: { namespace, id: flowId }, relation: DependencyRelation.FLOW_TASK });
    }
    for (const v of Object.values(value)) visit(v);
  };
  visit(flow.tasks);
  visit(flow.errors ?? []);
  visit(flow.finally ?? []);
  for (const t of flow.triggers ?? []) {
    const parsed = parseTrigger(t);
    if (parsed.ok !== true || parsed.trigger.kind !== 'Flow') continue;
    for (const ref of listenedFlows(parsed.trigger.conditions)) {
      out.push({ source: ref, target: self, relation: DependencyRelation.FLOW_TRIGGER });
    }
  }
  return out;
}

function listenedFlows(conditions: readonly Condition[]): Array<{ namespace: string; id: string }> {
  const out: Array<{ namespace: string; id: string }> = [];
  for (const c of conditions) {
    if (c.kind === 'ExecutionFlow') out.push({ namespace: c.namespace, id: c.flowId });
    else if (c.kind === 'Multiple') out.push(...listenedFlows(Object.values(c.conditions)));
    else if (c.kind === 'Or') out.push(...listenedFlows(c.conditions));
  }
  return out;
}

/** The edges that touch the flow, in both directions, as Kestra's topology graph. */
export function dependenciesOf(namespace: string, id: string, flows: readonly Flow[], catalog: TaskCatalog): FlowDependencies {
  const key = flowKey(namespace, id);
  const nodes = new Map<string, { uid: string; namespace: string; id: string }>();
  const edges: FlowDependencies['edges'] = [];
  const node = (f: { namespace: string; id: string }): string => {
    const uid = flowKey(f.namespace, f.id);
    if (!nodes.has(uid)) nodes.set(uid, { uid, namespace: f.namespace, id: f.id });
    return uid;
  };
  node({ namespace, id });
  const seen = new Set<string>();
  for (const flow of flows) {
    for (const ref of referencesOf(flow, catalog)) {
      const source = flowKey(ref.source.namespace, ref.source.id);
      const target = flowKey(ref.target.namespace, ref.target.id);
      if (source !== key && target !== key) continue;
      const edge = `${source}>${target}>${ref.relation}`;
      if (seen.has(edge)) continue;
      seen.add(edge);
      edges.push({ source: node(ref.source), target: node(ref.target), relation: ref.relation });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** Other flows that would break if the flow went away: those that call it as a subflow, and those that listen to it. */
export function dependentsOf(namespace: string, id: string, flows: readonly Flow[], catalog: TaskCatalog): string[] {
  const key = flowKey(namespace, id);
  const out = new Set<string>();
  for (const flow of flows) {
    const self = flowKey(flow.namespace, flow.id);
    if (self === key) continue;
    for (const ref of referencesOf(flow, catalog)) {
      const other = ref.relation === DependencyRelation.FLOW_TASK ? ref.target : ref.source;
      if (flowKey(other.namespace, other.id) === key) out.add(self);
    }
  }
  return [...out].sort();
}
