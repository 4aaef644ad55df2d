// The flow's task tree, indexed once per flow object: every task by id with its enclosing flowable,
// whether it sits in an `errors` branch, its retry policy (nearest wins) and its flowable behaviour.
import { wrappedTasks } from '../model/catalog';
import { flowKey, type Flow, type Task } from '../model/flow';
import type { Retry } from '../model/retry';
import type { FlowableBehaviour } from './flowables/behaviour';
import { flowableBehaviour } from './flowables';

export interface TaskNode {
  readonly task: Task;
  /** The enclosing flowable task's id; undefined for flow-level tasks. */
  readonly parentTaskId?: string;
  /** True when the task is listed in its container's `errors` or `finally` (both run again after a restart). */
  readonly inErrors: boolean;
  /** True when the task or one of its ancestors is listed in an `errors` branch. */
  readonly underErrors: boolean;
  /** The task's own retry, else the nearest ancestor's, else the flow's. */
  readonly retry?: Retry;
  /** Set for flowable types the engine evaluates itself. */
  readonly flowable?: FlowableBehaviour;
}

export interface FlowIndex {
  readonly flow: Flow;
  /** `namespace.id`, for error locations. */
  readonly key: string;
  readonly nodes: ReadonlyMap<string, TaskNode>;
  /** Flow-level `errors` task ids. */
  readonly rootErrorIds: ReadonlySet<string>;
}

const cache = new WeakMap<Flow, FlowIndex>();

export function flowIndex(flow: Flow): FlowIndex {
  let index = cache.get(flow);
  if (!index) {
    index = buildFlowIndex(flow);
    cache.set(flow, index);
  }
  return index;
}

function buildFlowIndex(flow: Flow): FlowIndex {
  const nodes = new Map<string, TaskNode>();
  const visit = (list: unknown, parent: TaskNode | undefined, inErrors: boolean): void => {
    if (!Array.isArray(list)) return;
    for (const task of list as Task[]) {
      if (!task || typeof task !== 'object' || typeof task.id !== 'string') continue;
      const flowable = typeof task.type === 'string' ? flowableBehaviour(task.type) : undefined;
      const retry = task.retry ?? (parent ? parent.retry : flow.retry);
      const node: TaskNode = {
        task,
        inErrors,
        underErrors: inErrors || (parent?.underErrors ?? false),
        ...(parent ? { parentTaskId: parent.task.id } : {}),
        ...(retry ? { retry } : {}),
        ...(flowable ? { flowable } : {}),
      };
      // Ids are unique (the validator says so); the first wins if a flow slipped through.
      if (!nodes.has(task.id)) nodes.set(task.id, node);
      if (!flowable) continue;
      if (flowable.derivedTasks) visit(flowable.derivedTasks(task), node, false);
      for (const key of flowable.info.childLists ?? []) visit(task[key], node, key === 'errors' || key === 'finally');
      for (const key of flowable.info.childWrappers ?? []) visit(wrappedTasks(task[key]).map((w) => w.task), node, false);
      for (const key of flowable.info.childMaps ?? []) {
        const map = task[key];
        if (map && typeof map === 'object') for (const children of Object.values(map)) visit(children, node, false);
      }
    }
  };
  visit(flow.tasks, undefined, false);
  visit(flow.errors, undefined, true);
  visit(flow.finally, undefined, true);
  // afterExecution runs again after each ending, as `finally` does after a restart.
  visit(flow.afterExecution, undefined, true);
  const rootErrorIds = new Set((flow.errors ?? []).map((t) => t.id));
  return { flow, key: flowKey(flow.namespace, flow.id), nodes, rootErrorIds };
}

