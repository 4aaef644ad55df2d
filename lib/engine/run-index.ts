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

export function runIndexOf(list: readonly TaskRun[]): RunIndex {
  let index = (list as Indexed)[INDEX];
  if (!index) {
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

/** The run with this id in `list`, through its (possibly shared) index. */
export function runIn(list: readonly TaskRun[], index: RunIndex, id: string): TaskRun | undefined {
  const p = index.pos.get(id);
  return p === undefined || p >= list.length ? undefined : list[p];
}

/** Children of a parent in `list`, in creation order. */
export function childrenIn(list: readonly TaskRun[], index: RunIndex, parentId: string | undefined): TaskRun[] {
  const positions = index.children.get(parentId ?? ROOT);
  if (!positions) return [];
  const out: TaskRun[] = [];
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
