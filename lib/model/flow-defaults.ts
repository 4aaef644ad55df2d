// taskDefaults as Kestra applies them (TaskDefaultService / PluginDefaultService):
// - a default applies to a task whose type is the default's type, one of its aliases, or starts with it;
// - non-forced defaults fill what the task leaves out, forced ones override the task;
// - among defaults of one kind, the first listed wins;
// - maps merge deeply and lists concatenate (MapUtils.merge).
import type { TaskCatalog } from './catalog';
import type { DocPath } from './flow-diagnostics';
import type { TaskDefault } from './flow';
import { isPlainObject } from './flow-zod';
import { getOwn, setOwn } from './own';

export interface SourcedDefault extends TaskDefault {
  /** Where the default is written (`['taskDefaults', 0]`). */
  at: DocPath;
}

/** Kestra's MapUtils.merge: `b` over `a`, maps merged deeply, lists concatenated, nulls ignored. */
export function mergeMaps(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const original = getOwn(out, key);
    if (value === null || value === undefined) continue;
    if (original === null || original === undefined) setOwn(out, key, value);
    else if (isPlainObject(value) && isPlainObject(original)) setOwn(out, key, mergeMaps(original, value));
    else if (Array.isArray(value) && Array.isArray(original)) setOwn(out, key, [...original, ...value]);
    else setOwn(out, key, value);
  }
  return out;
}

export class TaskDefaults {
  /** For each task object produced here, the defaults that were merged into it. */
  readonly applied = new WeakMap<object, SourcedDefault[]>();
  private readonly loose: SourcedDefault[];
  private readonly forced: SourcedDefault[];

  constructor(defaults: readonly SourcedDefault[], private readonly catalog: TaskCatalog) {
    this.loose = defaults.filter((d) => !d.forced);
    this.forced = defaults.filter((d) => d.forced);
  }

  get empty(): boolean {
    return this.loose.length + this.forced.length === 0;
  }

  private matches(d: TaskDefault, type: string): boolean {
    if (type === d.type || type.startsWith(d.type)) return true;
    const canonical = this.catalog.get(type)?.type;
    return canonical !== undefined && canonical === this.catalog.get(d.type)?.type;
  }

  /** One task (not its children) with the defaults for its type merged in. */
  applyOne(task: Record<string, unknown>): Record<string, unknown> {
    const type = task.type;
    if (typeof type !== 'string' || this.empty) return task;
    let result = task;
    const used: SourcedDefault[] = [];
    for (const d of this.loose) {
      if (this.matches(d, type)) { result = mergeMaps(d.values, result); used.push(d); }
    }
    // Forced defaults are applied last-listed first, so the first listed wins.
    for (const d of [...this.forced].reverse()) {
      if (this.matches(d, type)) { result = mergeMaps(result, d.values); used.push(d); }
    }
    if (used.length > 0) this.applied.set(result, used);
    return result;
  }

  /** A task and, recursively, its children (found through the catalog). */
  apply(task: unknown): unknown {
    if (!isPlainObject(task)) return task;
    const merged = this.applyOne(task);
    const info = typeof merged.type === 'string' ? this.catalog.get(merged.type) : undefined;
    if (!info || info.kind !== 'flowable') return merged;
    let out = merged;
    const copy = (): Record<string, unknown> => {
      if (out === merged) {
        out = { ...merged };
        const used = this.applied.get(merged);
        if (used) this.applied.set(out, used);
      }
      return out;
    };
    for (const key of info.childLists ?? []) {
      const list = merged[key];
      if (Array.isArray(list)) copy()[key] = list.map((t) => this.apply(t));
    }
    for (const key of info.childWrappers ?? []) {
      const list = merged[key];
      if (Array.isArray(list)) copy()[key] = list.map((w) => (isPlainObject(w) && 'task' in w ? { ...w, task: this.apply(w.task) } : w));
    }
    for (const key of info.childMaps ?? []) {
      const map = merged[key];
      if (isPlainObject(map)) {
        copy()[key] = Object.fromEntries(Object.entries(map).map(([k, list]) => [k, Array.isArray(list) ? list.map((t) => this.apply(t)) : list]));
      }
    }
    return out;
  }

  /** The default that supplied the first key of `property` to `task`, if the task did not write it. */
  origin(task: object, property: DocPath): DocPath | undefined {
    const key = property[0];
    if (typeof key !== 'string') return undefined;
    const used = this.applied.get(task) ?? [];
    const d = used.find((u) => Object.prototype.hasOwnProperty.call(u.values, key));
    return d ? [...d.at, 'values', ...property] : undefined;
  }
}
