// ForEachItem (Kestra 1.x): one subflow execution per batch of the lines of `items`. As in Kestra it
// runs three internal tasks in sequence: `{id}_split` (a worker cuts the file into batch files, see
// lib/plugins/core/for-each-item.ts), `{id}_items` (the engine starts the subflows and counts them,
// for-each-item-batches.ts) and `{id}_merge` (a worker joins the subflows' outputs into one file).
// `errors` and `finally` run as in any sequential flowable.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { Labels } from '../../model/flow-schema';
import { FOR_EACH_ITEM_ALIASES, FOR_EACH_ITEM_TYPE, ForEachItemPart, forEachItemPartId } from '../../model/for-each-item';
import { listChildren } from '../container';
import type { FlowableBehaviour } from './behaviour';
import { listBehaviour } from './list-behaviour';
import { TaskList } from './schemas';

const EXPRESSION = /\{\{[\s\S]*\}\}/;
/** A whole number of at least 1, or an expression that renders one (Kestra's Property<Integer>). */
const Count = z.union([
  z.number().int().min(1, 'expected a whole number of at least 1'),
  z.string().regex(EXPRESSION, 'expected a whole number of at least 1, or an expression'),
]);
/** A size such as 10MB or 1024 (bytes), or an expression. */
const Size = z.union([
  z.number().int().min(1, 'expected a size of at least 1 byte'),
  z.string().regex(/^\s*\d+(\.\d+)?\s*(B|KB|MB|GB)?\s*$|\{\{[\s\S]*\}\}/i, 'expected a size such as 10MB, 512KB or 1024 (bytes)'),
]);

/** Kestra's ForEachItem.Batch: by `bytes`, else `partitions`, else `rows` (default 1 row a batch). */
export const Batch = z.object({
  rows: Count.optional(),
  bytes: Size.optional(),
  partitions: Count.optional(),
  separator: z.string().min(1).optional(),
}).strict();

export const forEachItemInfo: TaskTypeInfo = {
  type: FOR_EACH_ITEM_TYPE,
  aliases: FOR_EACH_ITEM_ALIASES,
  kind: 'flowable',
  properties: z.object({
    items: z.string().min(1, 'expected the kestra:// URI of a file of items, one a line'),
    batch: Batch.optional(),
    namespace: z.string().min(1),
    flowId: z.string().min(1),
    revision: z.number().int().positive().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    labels: Labels.optional(),
    wait: z.boolean().optional(),
    transmitFailed: z.boolean().optional(),
    inheritLabels: z.boolean().optional(),
    /** Accepted as Kestra writes it; a restart starts a new subflow execution for every batch (docs/flows.md). */
    restartBehavior: z.enum(['RETRY_FAILED', 'NEW_EXECUTION']).optional(),
    /** An ISO date, or an expression that renders one: every subflow execution is created at once and starts then. */
    scheduleDate: z.string().optional(),
    errors: TaskList.optional(),
    finally: TaskList.optional(),
  }).strict(),
  childLists: ['errors', 'finally'],
  internalTaskIds: (id) => Object.keys(ForEachItemPart).map((part) => forEachItemPartId(id, part as ForEachItemPart)),
};

const parts = new WeakMap<Task, readonly Task[]>();

/** The three internal tasks, made once per task object (flows never change). */
export function forEachItemTasks(task: Task): readonly Task[] {
  let out = parts.get(task);
  if (!out) {
    const pick = (...keys: string[]): Record<string, unknown> => Object.fromEntries(keys.filter((k) => task[k] !== undefined).map((k) => [k, task[k]]));
    out = [
      { id: forEachItemPartId(task.id, 'split'), type: ForEachItemPart.split.type, items: task.items, ...pick('batch') },
      {
        id: forEachItemPartId(task.id, 'items'), type: ForEachItemPart.items.type,
        ...pick('namespace', 'flowId', 'revision', 'inputs', 'labels', 'wait', 'transmitFailed', 'inheritLabels', 'scheduleDate'),
      },
      // The merge reads the folder of its parent run (the ForEachItem's), which only the worker knows.
      { id: forEachItemPartId(task.id, 'merge'), type: ForEachItemPart.merge.type, forEachItem: { taskId: task.id, taskRunId: '{{ taskrun.parentId }}' } },
    ];
    parts.set(task, out);
  }
  return out;
}

export const forEachItem: FlowableBehaviour = {
  ...listBehaviour(forEachItemInfo, {
    branches: (_run, task) => ({ main: listChildren(forEachItemTasks(task)), errors: task.errors as Task[] | undefined }),
  }),
  derivedTasks: forEachItemTasks,
  // A replay from inside it cuts the items again: its batch files belong to the execution that made them.
  replaysWhole: true,
};
