// Lookups over an execution's task runs: by id and by parent, in creation order. Built once per
// list and shared along a chain of steps: lists only grow by appending (positions never move), so
// the step that extends the newest list extends its index in place, and older lists simply ignore
// positions beyond their length. A step working from an older list (a retried transaction) clones.
import type { TaskRun } from '../model/execution';

/** The parent key of flow-level runs. */
export const ROOT = '';

export interface RunIndex {
  /** Position of each run. */
  readonly pos: Map<string, number>;
  /** Positions of each parent's children (ROOT for flow-level runs), in creation order. */
  readonly children: Map<string, number[]>;
  /** The newest list this index covers: only a step extending that list may extend it in place. */
  tip: readonly TaskRun[];
}

// Kept on the list itself under a non-enumerable symbol: invisible to JSON, spreads and equality
// checks, and much cheaper than a WeakMap entry per step.
const INDEX = Symbol('aloft.runIndex');
type Indexed = { [INDEX]?: RunIndex };

export function buildRunIndex(list: readonly TaskRun[]): RunIndex {
  const index: RunIndex = { pos: new Map(), children: new Map(), tip: list };
  for (let i = 0; i < list.length; i++) indexRun(index, list[i], i);
  return index;
}

export function indexRun(index: RunIndex, run: TaskRun, p: number): void {
  index.pos.set(run.id, p);
  const key = run.parentTaskRunId ?? ROOT;
  const siblings = index.children.get(key);
  if (siblings) siblings.push(p);
  else index.children.set(key, [p]);
}

export function cloneRunIndex(index: RunIndex, list: readonly TaskRun[]): RunIndex {
  const n = list.length;
  const pos = new Map<string, number>();
  for (const [id, p] of index.pos) if (p < n) pos.set(id, p);
  const children = new Map<string, number[]>();
  for (const [key, ps] of index.children) {
    const kept = ps[ps.length - 1] < n ? ps.slice() : ps.filter((p) => p < n);
    if (kept.length) children.set(key, kept);
  }
  return { pos, children, tip: list };
}

/**
 * Lists shorter than this are scanned instead: most executions have a few dozen runs, and an index
 * (two Maps per execution, kept for its lifetime) costs more to build and keep than a scan.
 */
export const INDEXED_FROM = 32;

/** The list's index, built and remembered on first use; undefined for a short list. */
export function runIndexOf(list: readonly TaskRun[]): RunIndex | undefined {
  let index = (list as Indexed)[INDEX];
  if (!index && list.length >= INDEXED_FROM) {
    index = buildRunIndex(list);
    rememberRunIndex(list, index);
  }
  return index;
}

/** Registers an index built alongside a list (the step's draft), so the next step finds it. */
export function rememberRunIndex(list: readonly TaskRun[], index: RunIndex): void {
  if (Object.isFrozen(list)) return;
  Object.defineProperty(list, INDEX, { value: index, writable: true, configurable: true, enumerable: false });
}

/** The position of the run with this id in `list`, through its (possibly shared) index or a scan; -1 when absent. */
export function positionIn(list: readonly TaskRun[], index: RunIndex | undefined, id: string): number {
  if (index) {
    const p = index.pos.get(id);
    return p === undefined || p >= list.length ? -1 : p;
  }
  // Newest first: the runs a step touches are mostly the latest ones.
  for (let p = list.length - 1; p >= 0; p--) if (list[p].id === id) return p;
  return -1;
}

/** The run with this id in `list`. */
export function runIn(list: readonly TaskRun[], index: RunIndex | undefined, id: string): TaskRun | undefined {
  const p = positionIn(list, index, id);
  return p < 0 ? undefined : list[p];
}

/** Children of a parent in `list`, in creation order. */
export function childrenIn(list: readonly TaskRun[], index: RunIndex | undefined, parentId: string | undefined): TaskRun[] {
  const out: TaskRun[] = [];
  if (!index) {
    const parent = parentId === ROOT ? undefined : parentId;
    for (const run of list) if (run.parentTaskRunId === parent) out.push(run);
    return out;
  }
  const positions = index.children.get(parentId ?? ROOT);
  if (!positions) return out;
  for (const p of positions) if (p < list.length) out.push(list[p]);
  return out;
}

export interface RunLookup {
  get(id: string): TaskRun | undefined;
}

export function lookupOf(list: readonly TaskRun[]): RunLookup {
  const index = runIndexOf(list);
  return { get: (id) => runIn(list, index, id) };
}
