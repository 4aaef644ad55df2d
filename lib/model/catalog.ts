// What the model and the engine need to know about task types. The plugin catalog
// (lib/plugins/catalog.ts) implements it; the pure core receives it as an argument.
import type { z } from 'zod';

export const PluginGroup = {
  core: 'core', scripts: 'scripts', jdbc: 'jdbc', kafka: 'kafka', singer: 'singer', gcp: 'gcp', serdes: 'serdes',
} as const;
export type PluginGroup = (typeof PluginGroup)[keyof typeof PluginGroup];
export const PLUGIN_GROUPS = Object.values(PluginGroup) as readonly PluginGroup[];

/**
 * How far Aloft supports a known type. `runs`: an execution runs it. `validatesOnly`: its properties
 * are checked, so the flow validates and deploys, but running it fails with NOT_IMPLEMENTED until its
 * plugin lands. A type the catalog does not hold is refused (an unknown task type is an error).
 */
export const TaskStatus = { runs: 'runs', validatesOnly: 'validates only' } as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export interface TaskTypeInfo {
  /** The canonical (Kestra 0.x) type name. */
  type: string;
  aliases: readonly string[];
  kind: 'flowable' | 'runnable';
  /** Runnable tasks only: the worker group that runs it. */
  group?: PluginGroup;
  /** Absent means TaskStatus.runs. */
  status?: TaskStatus;
  /** The type's own properties (not id/type/retry/timeout...). Objects should be strict. */
  properties: z.ZodType;
  /** Flowables only: property names that hold child task lists (`tasks`, `errors`, `defaults`) or maps of them (`cases`). */
  childLists?: readonly string[];
  childMaps?: readonly string[];
  /** Flowables only: property names that hold lists of wrappers whose `task` is a child task (Dag's `tasks: [{task, dependsOn}]`). */
  childWrappers?: readonly string[];
  /**
   * A type the engine makes for another one (ForEachItem's split, batches and merge tasks, as Kestra's
   * `@Plugin(internal = true)`): runnable, but never written in a flow, and left out of `types()`.
   */
  internal?: true;
  /** Ids of the internal tasks a task of this type makes (ForEachItem `each`: `each_split`...): no other task may use them. */
  internalTaskIds?(taskId: string): readonly string[];
  /** Flowables only: a worker runs its children together, as one attempt of its own run (WorkingDirectory). */
  runsChildrenOnWorker?: true;
}

/** The child tasks inside a list of wrappers (see childWrappers), with their index in the list. */
export function wrappedTasks(list: unknown): { task: unknown; index: number }[] {
  if (!Array.isArray(list)) return [];
  const out: { task: unknown; index: number }[] = [];
  list.forEach((w, index) => {
    if (w && typeof w === 'object' && !Array.isArray(w) && 'task' in w) out.push({ task: (w as { task: unknown }).task, index });
  });
  return out;
}

export interface TaskCatalog {
  get(type: string): TaskTypeInfo | undefined;
  /** The types a flow may name (internal ones left out). */
  types(): readonly TaskTypeInfo[];
}
