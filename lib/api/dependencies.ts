// Which flows depend on which, as Kestra's flow topology. FLOW_TASK: a flow runs another as a subflow
// (Flow, Subflow, ForEachItem). FLOW_TRIGGER: another flow's Flow trigger accepts an execution of this
// one, evaluated as Kestra does against a simulated execution: filter-only conditions (state, dates,
// expressions) hold, ExecutionFlow and ExecutionNamespace are evaluated, a MultipleCondition holds
// when any of its conditions does. An edge goes from the flow that runs first. Self-edges are dropped.
import type { TaskCatalog } from '../model/catalog';
import { AloftError, ErrorCode } from '../model/errors';
import { flowKey, type Flow } from '../model/flow';
import { FOR_EACH_ITEM_ALIASES, FOR_EACH_ITEM_TYPE } from '../model/for-each-item';
import { isPlainObject } from '../model/flow-zod';
import { parseTrigger } from '../triggers/catalog';
import type { Condition } from '../triggers/conditions/types';
import { bucketsOf, type FlowRef, type FlowRefs, type SourcePattern } from '../ports/flow-dependency-store';

const SUBFLOW = 'io.kestra.core.tasks.flows.Flow';
/** ForEachItem runs a subflow per batch (lib/engine/flowables/for-each-item.ts). */
const FOR_EACH_ITEM = new Set([FOR_EACH_ITEM_TYPE, ...FOR_EACH_ITEM_ALIASES]);

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

/** CONFLICT when deleting a flow others depend on; `dependents` goes into the response for the UI and CLI to list. */
export class FlowHasDependentsError extends AloftError {
  constructor(flow: string, readonly dependents: string[]) {
    super(ErrorCode.CONFLICT, `flow ${flow} is used by ${dependents.join(', ')}; delete with ?force=true to delete it anyway`, { flow });
  }
}
