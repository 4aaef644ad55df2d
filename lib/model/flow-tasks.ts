// Validates tasks against the catalog: base fields, the type's own properties, and the children of
// flowable tasks, recursively. Collects every task id with its path so duplicates can be reported.
import { TaskStatus, wrappedTasks, type TaskCatalog, type TaskTypeInfo } from './catalog';
import { ErrorCode } from './errors';
import { TASK_BASE_KEYS, TaskBase } from './flow';
import type { TaskDefaults } from './flow-defaults';
import { formatPath, Severity } from './flow-diagnostics';
import type { DocPath, Finding } from './flow-diagnostics';
import { didYouMean } from './flow-suggest';
import { checkValue, isPlainObject } from './flow-zod';
import type { ValueIssue } from './flow-zod';

export interface TaskVisit {
  task: Record<string, unknown>;
  path: DocPath;
  /** Undefined for an unknown type. */
  info?: TaskTypeInfo;
  parentId?: string;
}

/** Calls `visit` for every task of `list` and, depth first, every child of flowable tasks. */
export function forEachTask(list: unknown, path: DocPath, catalog: TaskCatalog, visit: (v: TaskVisit) => void, parentId?: string): void {
  if (!Array.isArray(list)) return;
  list.forEach((task, i) => visitTask(task, [...path, i], catalog, visit, parentId));
}

function visitTask(task: unknown, at: DocPath, catalog: TaskCatalog, visit: (v: TaskVisit) => void, parentId?: string): void {
  if (!isPlainObject(task)) return;
  const info = typeof task.type === 'string' ? catalog.get(task.type) : undefined;
  visit({ task, path: at, info, parentId });
  const id = typeof task.id === 'string' ? task.id : parentId;
  for (const key of info?.childLists ?? []) forEachTask(task[key], [...at, key], catalog, visit, id);
  for (const key of info?.childMaps ?? []) {
    const map = task[key];
    if (isPlainObject(map)) for (const [k, children] of Object.entries(map)) forEachTask(children, [...at, key, k], catalog, visit, id);
  }
  for (const key of info?.childWrappers ?? []) {
    for (const { task: child, index } of wrappedTasks(task[key])) visitTask(child, [...at, key, index, 'task'], catalog, visit, id);
  }
}

export interface TaskCheckContext {
  catalog: TaskCatalog;
  defaults: TaskDefaults;
  /** Whether a path is written in the document (else it came from taskDefaults). */
  has(path: DocPath): boolean;
  findings: Finding[];
  ids: { id: string; path: DocPath }[];
}

const allTypeNames = (catalog: TaskCatalog): string[] => catalog.types().flatMap((t) => [t.type, ...t.aliases]);

export function checkTaskList(list: unknown, path: DocPath, ctx: TaskCheckContext, parentId?: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) {
    ctx.findings.push(error(path, 'expected a list of tasks', parentId));
    return;
  }
  list.forEach((task, i) => checkTask(task, [...path, i], ctx, parentId));
}

function checkTask(task: unknown, path: DocPath, ctx: TaskCheckContext, parentId?: string): void {
  if (!isPlainObject(task)) {
    ctx.findings.push(error(path, 'a task must be a map with at least an id and a type', parentId));
    return;
  }
  const id = typeof task.id === 'string' ? task.id : undefined;
  const label = id ?? parentId;
  if (id !== undefined) ctx.ids.push({ id, path });

  const base = Object.fromEntries(Object.entries(task).filter(([k]) => TASK_BASE_KEYS.includes(k)));
  report(checkValue(TaskBase, base), task, path, ctx, label);

  const type = task.type;
  if (typeof type !== 'string') return;
  const info = ctx.catalog.get(type);
  if (!info || info.internal) {
    const why = info ? `task type '${type}' is internal to Kestra's ForEachItem and cannot be written in a flow` : `unknown task type '${type}'${didYouMean(type, allTypeNames(ctx.catalog))}`;
    ctx.findings.push(error([...path, 'type'], why, label));
    return;
  }
  // The internal tasks it makes (ForEachItem's `{id}_split`...) take their ids too.
  if (id !== undefined) for (const internalId of info.internalTaskIds?.(id) ?? []) ctx.ids.push({ id: internalId, path });
  if (info.status === TaskStatus.validatesOnly) {
    ctx.findings.push({
      ...error([...path, 'type'], `task type '${type}' cannot run yet in Aloft: the flow validates, but an execution fails at this task (NOT_IMPLEMENTED)`, label),
      severity: Severity.warning,
    });
  }

  const own = Object.fromEntries(Object.entries(task).filter(([k]) => !TASK_BASE_KEYS.includes(k)));
  const lists = info.childLists ?? [];
  const maps = info.childMaps ?? [];
  const wrappers = info.childWrappers ?? [];
  // Children are checked here, one by one, with their own ids and types.
  const insideChild = (p: DocPath): boolean =>
    (lists.includes(String(p[0])) && p.length >= 2) || (maps.includes(String(p[0])) && p.length >= 3)
    || (wrappers.includes(String(p[0])) && p[2] === 'task' && p.length >= 4);
  report(checkValue(info.properties, own, { strictRoot: true, extraRootKeys: [...lists, ...maps], skip: insideChild }), task, path, ctx, label);

  for (const key of lists) checkTaskList(task[key], [...path, key], ctx, label);
  for (const key of maps) {
    const map = task[key];
    if (map === undefined || map === null) continue;
    if (!isPlainObject(map)) {
      ctx.findings.push(error([...path, key], 'expected a map of task lists', label));
      continue;
    }
    for (const [k, children] of Object.entries(map)) checkTaskList(children, [...path, key, k], ctx, label);
  }
  for (const key of wrappers) {
    for (const { task: child, index } of wrappedTasks(task[key])) checkTask(child, [...path, key, index, 'task'], ctx, label);
  }
}

function report(issues: ValueIssue[], task: Record<string, unknown>, path: DocPath, ctx: TaskCheckContext, label?: string): void {
  for (const issue of issues) {
    const full = [...path, ...issue.path];
    // A value that is not written in the task came from taskDefaults: point there.
    const origin = ctx.has(full) ? undefined : ctx.defaults.origin(task, issue.path);
    const message = origin ? `${issue.message} (set by ${formatPath(origin.slice(0, 2))})` : issue.message;
    ctx.findings.push({ ...error(origin ?? full, message, label), atKey: issue.atKey });
  }
}

/** One error per repeated task id, naming where the id was first used. */
export function duplicateIds(ids: readonly { id: string; path: DocPath }[], line: (path: DocPath) => number): Finding[] {
  const first = new Map<string, DocPath>();
  const out: Finding[] = [];
  for (const { id, path } of ids) {
    const seen = first.get(id);
    if (!seen) {
      first.set(id, path);
      continue;
    }
    out.push(error([...path, 'id'], `task id '${id}' is already used by ${formatPath(seen)} (line ${line(seen)}); task ids must be unique in a flow`, id));
  }
  return out;
}

function error(path: DocPath, message: string, task?: string): Finding {
  return { severity: Severity.error, code: ErrorCode.FLOW_INVALID, message, path, ...(task !== undefined ? { task } : {}) };
}
