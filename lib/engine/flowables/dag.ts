// Dag (Kestra 1.x): `tasks: [{task, dependsOn}]`. A task starts once every task it depends on
// ended, at most `concurrent` at once (default 0: no limit); a failure stops new starts and opens
// `errors`, as in Parallel. Unknown dependencies and cycles are refused when the flow is validated.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import type { Task } from '../../model/flow';
import { listChildren } from '../container';
import type { FlowableBehaviour } from './behaviour';
import { listBehaviour } from './list-behaviour';
import { Concurrent, TaskList } from './schemas';

const DagTask = z.object({
  task: z.looseObject({ id: z.string(), type: z.string() }),
  dependsOn: z.array(z.string()).optional(),
}).strict();

/** Refuses dependencies on tasks outside the Dag and cycles, pointing at the `dependsOn` concerned. */
function checkGraph(all: readonly z.infer<typeof DagTask>[], ctx: z.RefinementCtx): void {
  // Malformed entries are reported by the schema itself.
  if (!Array.isArray(all as unknown) || all.some((t) => typeof t?.task?.id !== 'string')) return;
  const tasks = all;
  const ids = tasks.map((t) => t.task.id);
  const deps = new Map(tasks.map((t) => [t.task.id, t.dependsOn ?? []]));
  tasks.forEach((t, i) => (t.dependsOn ?? []).forEach((dep, j) => {
    if (!ids.includes(dep)) {
      ctx.addIssue({ code: 'custom', path: ['tasks', i, 'dependsOn', j], message: `task '${t.task.id}' depends on '${dep}', which is not a task of this Dag (its tasks: ${ids.join(', ')})` });
    }
  }));
  // Depth-first search; each cycle is reported once, at its first task in list order.
  const state = new Map<string, 'open' | 'done'>();
  const reported = new Set<string>();
  const walk = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const cycle = trail.slice(trail.indexOf(id));
      if (cycle.some((c) => reported.has(c))) return;
      cycle.forEach((c) => reported.add(c));
      const first = ids.indexOf(cycle.reduce((a, b) => (ids.indexOf(a) <= ids.indexOf(b) ? a : b)));
      const start = cycle.indexOf(ids[first]);
      const loop = [...cycle.slice(start), ...cycle.slice(0, start), ids[first]];
      // Written as "x depends on y depends on ... x".
      ctx.addIssue({ code: 'custom', path: ['tasks', first, 'dependsOn'], message: `dependency cycle: ${loop.join(' depends on ')}` });
      return;
    }
    state.set(id, 'open');
    for (const dep of deps.get(id) ?? []) if (deps.has(dep)) walk(dep, [...trail, id]);
    state.set(id, 'done');
  };
  for (const id of ids) walk(id, []);
}

export const dagInfo: TaskTypeInfo = {
  type: 'io.kestra.plugin.core.flow.Dag',
  aliases: ['io.kestra.core.tasks.flows.Dag'],
  kind: 'flowable',
  properties: z.object({
    tasks: z.array(DagTask).min(1, 'expected at least one task'),
    concurrent: Concurrent.optional(),
    errors: TaskList.optional(),
    finally: TaskList.optional(),
  }).strict().superRefine((v, ctx) => checkGraph(v.tasks, ctx)),
  childLists: ['errors', 'finally'],
  childWrappers: ['tasks'],
};

type Wrapped = { task: Task; dependsOn?: string[] };

// Each Dag's tasks and dependencies never change during a flow's life: resolve them once.
const resolved = new WeakMap<readonly Wrapped[], { tasks: Task[]; dependsOn: ReadonlyMap<string, readonly string[]> }>();
function resolve(list: readonly Wrapped[]): { tasks: Task[]; dependsOn: ReadonlyMap<string, readonly string[]> } {
  let out = resolved.get(list);
  if (!out) {
    out = { tasks: list.map((w) => w.task), dependsOn: new Map(list.map((w) => [w.task.id, w.dependsOn ?? []])) };
    resolved.set(list, out);
  }
  return out;
}

/** The tasks that depend on `taskId`, directly or not: a replay of it runs them again. */
function dependents(task: Task, taskId: string): ReadonlySet<string> {
  const { dependsOn } = resolve(task.tasks as Wrapped[]);
  const out = new Set<string>();
  const add = (id: string): void => {
    for (const [other, deps] of dependsOn) if (deps.includes(id) && !out.has(other)) { out.add(other); add(other); }
  };
  add(taskId);
  return out;
}

const dagList = listBehaviour(dagInfo, {
  parallel: true,
  branches: (_run, task) => {
    const { tasks, dependsOn } = resolve(task.tasks as Wrapped[]);
    return {
      main: listChildren(tasks),
      errors: task.errors as Task[] | undefined,
      concurrent: (task.concurrent as number | undefined) ?? 0,
      dependsOn,
    };
  },
});

export const dag: FlowableBehaviour = { ...dagList, successors: dependents };
