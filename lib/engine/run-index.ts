// Lookups over an execution's task runs: by id and by parent, in creation order.
// Built once per taskRunList array and cached, so repeated steps on the same list cost nothing.
import type { TaskRun } from '../model/execution';

/** The parent key of flow-level runs. */
export const ROOT = '';

export interface RunIndex {
  /** Position of each run in the list. */
  readonly pos: Map<string, number>;
  /** Positions of each parent's children (ROOT for flow-level runs), in creation order. */
  readonly children: Map<string, number[]>;
}

const cache = new WeakMap<readonly TaskRun[], RunIndex>();

export function buildRunIndex(list: readonly TaskRun[]): RunIndex {
  const pos = new Map<string, number>();
  const children = new Map<string, number[]>();
  for (let i = 0; i < list.length; i++) {
    const run = list[i];
    pos.set(run.id, i);
    const key = run.parentTaskRunId ?? ROOT;
    const siblings = children.get(key);
    if (siblings) siblings.push(i);
    else children.set(key, [i]);
  }
  return { pos, children };
}

export function runIndexOf(list: readonly TaskRun[]): RunIndex {
  let index = cache.get(list);
  if (!index) {
    index = buildRunIndex(list);
    cache.set(list, index);
  }
  return index;
}

/** Registers an index built alongside a list (the step's draft), so the next step finds it. */
export function rememberRunIndex(list: readonly TaskRun[], index: RunIndex): void {
  cache.set(list, index);
}

export interface RunLookup {
  get(id: string): TaskRun | undefined;
}

export function lookupOf(list: readonly TaskRun[]): RunLookup {
  const index = runIndexOf(list);
  return { get: (id) => { const p = index.pos.get(id); return p === undefined ? undefined : list[p]; } };
}
