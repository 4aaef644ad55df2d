// EachSequential and EachParallel: their tasks once per value of `value` (a list, or a JSON string
// of a list). Values are rendered, turned into strings (numbers as text, objects as JSON) and
// deduplicated; a null value fails the loop before any child runs. Only the loop's direct children
// carry the value. EachParallel runs every (value, task) pair in parallel, as Kestra 0.x does.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import type { ResolvedChild } from '../container';
import type { Draft } from '../draft';
import { enabled } from '../task-list';
import { propertyError, renderProperty } from '../render';
import { internalOf } from '../state-ops';
import { listBehaviour, type Prepared } from './list-behaviour';
import { Concurrent, NonEmptyTaskList, TaskList, names } from './schemas';

const EachValue = z.union([z.string(), z.array(z.unknown())]);

export const eachSequentialInfo: TaskTypeInfo = {
  ...names('EachSequential'),
  kind: 'flowable',
  properties: z.object({ value: EachValue, tasks: NonEmptyTaskList, errors: TaskList.optional(), finally: TaskList.optional() }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

export const eachParallelInfo: TaskTypeInfo = {
  ...names('EachParallel'),
  kind: 'flowable',
  properties: z.object({ value: EachValue, tasks: NonEmptyTaskList, errors: TaskList.optional(), finally: TaskList.optional(), concurrent: Concurrent.optional() }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

/** Internal key: the loop values, rendered once at start. */
const VALUES = 'values';

/** The loop values of a rendered `value` (ForEach: `values`), or an error message. */
export function loopValues(rendered: unknown, property = 'value'): { values: string[] } | { error: string } {
  let list = rendered;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list);
    } catch {
      return { error: `${property} must be a list or a JSON list, got '${truncate(list as string)}'` };
    }
  }
  if (!Array.isArray(list)) return { error: `${property} must be a list or a JSON list, got ${typeof list === 'object' ? 'an object' : `'${truncate(String(list))}'`}` };
  const nulls = list.filter((v) => v === null || v === undefined).length;
  if (nulls > 0) return { error: `found ${nulls} null value${nulls > 1 ? 's' : ''} in the loop's values: ${truncate(JSON.stringify(list))}` };
  const seen = new Set<string>();
  const values: string[] = [];
  for (const v of list) {
    const text = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (seen.has(text)) continue;
    seen.add(text);
    values.push(text);
  }
  return { values };
}

const truncate = (s: string): string => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

function prepare(d: Draft, run: TaskRun, task: Task): Prepared {
  const site = d.renderSite(run);
  const rendered = renderProperty(site, 'value', task.value);
  if (!rendered.ok) return { error: rendered.error };
  const out = loopValues(rendered.value);
  if ('error' in out) return { error: propertyError(site, 'value', out.error) };
  return { internal: { [VALUES]: out.values } };
}

function children(run: TaskRun, task: Task): ResolvedChild[] {
  const values = internalOf<string[]>(run, VALUES) ?? [];
  const tasks = enabled(task.tasks as Task[]);
  const out: ResolvedChild[] = [];
  for (const value of values) for (const t of tasks) out.push({ task: t, value });
  return out;
}

export const eachSequential = listBehaviour(eachSequentialInfo, {
  prepare,
  branches: (run, task) => ({ main: children(run, task), errors: task.errors as Task[] | undefined }),
});

export const eachParallel = listBehaviour(eachParallelInfo, {
  parallel: true,
  prepare,
  branches: (run, task) => ({ main: children(run, task), errors: task.errors as Task[] | undefined, concurrent: (task.concurrent as number | undefined) ?? 0 }),
});
