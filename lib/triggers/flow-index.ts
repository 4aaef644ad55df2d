// The Flow-trigger index: each trigger is filed under what an ended execution must have for it to
// possibly match (its flow, namespace, namespace prefix or state), so that an ended execution looks
// at a handful of buckets instead of every flow. Triggers that cannot be narrowed go to a fallback
// bucket that every ended execution reads. The key functions are pure, so the cloud can keep the
// same index in Firestore (`flowTriggerIndex/{key}/triggers/{triggerKey}`).
import type { Flow } from '../model/flow';
import { STATES, type State } from '../model/states';
import type { ParsedTriggerOf } from './catalog';
import type { Condition } from './conditions/types';
import { triggerKey } from './ids';

export const FALLBACK_KEY = '*';

/** Keys for executions of one flow, of one namespace, of a namespace prefix and in one state. */
export const flowIndexKey = (namespace: string, flowId: string): string => `flow:${namespace}/${flowId}`;
export const namespaceIndexKey = (namespace: string): string => `ns:${namespace}`;
export const prefixIndexKey = (prefix: string): string => `nsp:${prefix}`;
export const stateIndexKey = (state: State): string => `state:${state}`;

/** Keys that narrow one condition, or null when it can match executions of any flow. */
function keysOfCondition(c: Condition): string[] | null {
  switch (c.kind) {
    case 'ExecutionFlow': return [flowIndexKey(c.namespace, c.flowId)];
    case 'ExecutionNamespace': return [c.prefix ? prefixIndexKey(c.namespace) : namespaceIndexKey(c.namespace)];
    case 'ExecutionStatus': {
      const states = (c.in ?? STATES).filter((s) => !(c.notIn ?? []).includes(s));
      return states.map(stateIndexKey);
    }
    case 'Or': {
      const all = c.conditions.map(keysOfCondition);
      return all.every((k) => k !== null) ? [...new Set((all as string[][]).flat())] : null;
    }
    default: return null;
  }
}

/** Selectivity of a key: one flow, one namespace, a namespace prefix, a state. */
const category = (key: string): number => (key.startsWith('flow:') ? 0 : key.startsWith('ns:') ? 1 : key.startsWith('nsp:') ? 2 : 3);
const rank = (keys: string[]): number => Math.max(...keys.map(category)) * 1000 + keys.length;

/** The most selective keys of an AND list (any one condition that must hold narrows the whole list). */
function keysOfAll(conditions: readonly Condition[]): string[] | null {
  let best: string[] | null = null;
  for (const c of conditions) {
    const keys = keysOfCondition(c);
    if (keys && (best === null || rank(keys) < rank(best))) best = keys;
  }
  return best;
}

/**
 * Where a Flow trigger is filed. With a MultipleCondition, every execution that satisfies any of its
 * conditions must reach the trigger to be recorded, so the keys are the union over its conditions;
 * the trigger can only fire in the pass that completes a window, so nothing else is needed.
 */
export function flowTriggerIndexKeys(trigger: Pick<ParsedTriggerOf<'Flow'>, 'conditions'>): string[] {
  const multiples = trigger.conditions.filter((c) => c.kind === 'Multiple');
  if (multiples.length > 0) {
    const keys = new Set<string>();
    for (const m of multiples) {
      for (const inner of Object.values(m.conditions)) {
        const k = keysOfCondition(inner);
        if (!k) return [FALLBACK_KEY];
        for (const key of k) keys.add(key);
      }
    }
    return [...keys];
  }
  return keysOfAll(trigger.conditions) ?? [FALLBACK_KEY];
}

/** What an ended execution looks up; namespace prefixes are checked for the prefix lengths in use. */
export function endedExecutionIndexKeys(ended: { namespace: string; flowId: string; state: State }, prefixLengths: Iterable<number>): string[] {
  const keys = [flowIndexKey(ended.namespace, ended.flowId), namespaceIndexKey(ended.namespace), stateIndexKey(ended.state), FALLBACK_KEY];
  for (const n of prefixLengths) if (n <= ended.namespace.length) keys.push(prefixIndexKey(ended.namespace.slice(0, n)));
  return keys;
}

export interface FlowTriggerEntry {
  /** `{namespace}:{flowId}:{triggerId}`, also the key of the trigger's state. */
  key: string;
  flow: Flow;
  trigger: ParsedTriggerOf<'Flow'>;
}

/** The in-memory index the embedded runtime uses. */
export class FlowTriggerIndex {
  private readonly buckets = new Map<string, Map<string, FlowTriggerEntry>>();
  private readonly placed = new Map<string, Array<{ bucket: string; key: string }>>();
  private readonly prefixLengths = new Map<number, number>();
  private count = 0;

  /** Files the flow's Flow triggers, replacing what an earlier revision filed. */
  set(flow: Flow, triggers: readonly ParsedTriggerOf<'Flow'>[]): void {
    this.remove(flow.namespace, flow.id);
    const placements: Array<{ bucket: string; key: string }> = [];
    for (const trigger of triggers) {
      if (trigger.disabled) continue;
      const key = triggerKey(flow.namespace, flow.id, trigger.id);
      const entry: FlowTriggerEntry = { key, flow, trigger };
      for (const bucket of flowTriggerIndexKeys(trigger)) {
        let map = this.buckets.get(bucket);
        if (!map) this.buckets.set(bucket, (map = new Map()));
        map.set(key, entry);
        placements.push({ bucket, key });
        if (bucket.startsWith('nsp:')) this.bumpPrefix(bucket.length - 4, 1);
      }
      this.count += 1;
    }
    if (placements.length > 0) this.placed.set(flowKeyOf(flow.namespace, flow.id), placements);
  }

  remove(namespace: string, flowId: string): void {
    const placements = this.placed.get(flowKeyOf(namespace, flowId));
    if (!placements) return;
    const triggers = new Set<string>();
    for (const { bucket, key } of placements) {
      const map = this.buckets.get(bucket);
      map?.delete(key);
      if (map && map.size === 0) this.buckets.delete(bucket);
      if (bucket.startsWith('nsp:')) this.bumpPrefix(bucket.length - 4, -1);
      triggers.add(key);
    }
    this.count -= triggers.size;
    this.placed.delete(flowKeyOf(namespace, flowId));
  }

  /** Triggers that may match the ended execution, each once. */
  candidates(ended: { namespace: string; flowId: string; state: State }): FlowTriggerEntry[] {
    const seen = new Map<string, FlowTriggerEntry>();
    for (const key of endedExecutionIndexKeys(ended, this.prefixLengths.keys())) {
      const map = this.buckets.get(key);
      if (map) for (const [k, e] of map) if (!seen.has(k)) seen.set(k, e);
    }
    return [...seen.values()];
  }

  /** How many triggers are filed. */
  size(): number {
    return this.count;
  }

  private bumpPrefix(length: number, by: number): void {
    const n = (this.prefixLengths.get(length) ?? 0) + by;
    if (n <= 0) this.prefixLengths.delete(length);
    else this.prefixLengths.set(length, n);
  }
}

const flowKeyOf = (namespace: string, flowId: string): string => `${namespace}/${flowId}`;
