// ForEach (Kestra 1.x): its tasks once per value of `values` (a list, or a JSON string of a list),
// values rendered and deduplicated as the 0.x Each tasks do. The tasks of one value form a group
// and run one after the other; `concurrencyLimit` groups run at once (default 1: everything in
// order; 0: every group at once). Empty values end SUCCESS with no child.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import type { ResolvedChild } from '../container';
import type { Draft } from '../draft';
import { propertyError, renderProperty } from '../render';
import { internalOf } from '../state-ops';
import { enabled } from '../task-list';
import { loopValues } from './each';
import { listBehaviour, type Prepared } from './list-behaviour';
import { Concurrent, NonEmptyTaskList, TaskList } from './schemas';

export const forEachInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.flow.ForEach',
  aliases: [],
  kind: 'flowable',
  properties: z.object({
    values: z.union([z.string(), z.array(z.unknown())]),
    concurrencyLimit: Concurrent.optional(),
    tasks: NonEmptyTaskList,
    errors: TaskList.optional(),
    finally: TaskList.optional(),
  }).strict(),
  childLists: ['tasks', 'errors', 'finally'],
};

/** Internal key: the loop values, rendered once at start. */
const VALUES = 'values';

function prepare(d: Draft, run: TaskRun, task: Task): Prepared {
  const site = d.renderSite(run);
  const rendered = renderProperty(site, 'values', task.values);
  if (!rendered.ok) return { error: rendered.error };
  const out = loopValues(rendered.value, 'values');
  if ('error' in out) return { error: propertyError(site, 'values', out.error) };
  return { internal: { [VALUES]: out.values } };
}

// A run's values array is rendered once and kept as is in `internal`: its children are built once too.
const childrenOf = new WeakMap<readonly string[], ResolvedChild[]>();
const NO_VALUES: readonly string[] = [];

function children(run: TaskRun, task: Task): ResolvedChild[] {
  const values = internalOf<string[]>(run, VALUES) ?? NO_VALUES;
  let out = childrenOf.get(values);
  if (!out) {
    const tasks = enabled(task.tasks as Task[]);
    out = [];
    for (const value of values) for (const t of tasks) out.push({ task: t, value });
    childrenOf.set(values, out);
  }
  return out;
}

// Not marked parallel: a replay inside it re-runs every later run, which covers the later tasks of
// the replayed run's own group.
export const forEach = listBehaviour(forEachInfo, {
  prepare,
  branches: (run, task) => {
    const limit = (task.concurrencyLimit as number | undefined) ?? 1;
    // One group at a time is plain sequential order, whose next child is found without a scan of every run.
    return { main: children(run, task), errors: task.errors as Task[] | undefined, ...(limit === 1 ? {} : { groups: limit }) };
  },
});
