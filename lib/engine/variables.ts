// The variables a task renders with, shaped as Kestra's RunContext builds them.
import type { Execution, TaskRun } from '../model/execution';
import type { Flow } from '../model/flow';
import { flowIndex } from './flow-index';
import { lookupOf, type RunLookup } from './run-index';

export interface VariablesContext {
  globals?: Record<string, unknown>;
  envs?: Record<string, string>;
}

const outputsCache = new WeakMap<readonly TaskRun[], Record<string, unknown>>();

/**
 * Every task's outputs by task id. A run inside loops is addressed by the loop values of its
 * ancestors, outermost first, then its own: `outputs.t['a'].x`, `outputs.t.s1['a a'].value`.
 */
export function outputsOf(list: readonly TaskRun[], lookup: RunLookup = lookupOf(list)): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  // Maps this function created (and may therefore merge into) versus runs' own outputs objects.
  const owned = new WeakSet<object>();
  const fresh = (): Record<string, unknown> => { const o = {}; owned.add(o); return o; };
  const child = (node: Record<string, unknown>, key: string): Record<string, unknown> => {
    const existing = node[key];
    if (isMap(existing)) {
      if (owned.has(existing)) return existing;
      const copy = { ...existing };
      owned.add(copy);
      node[key] = copy;
      return copy;
    }
    const made = fresh();
    node[key] = made;
    return made;
  };
  for (const run of list) {
    if (!run.outputs) continue;
    const values = ancestorValues(run, lookup);
    if (run.value !== undefined) values.push(run.value);
    if (values.length === 0) {
      const existing = result[run.taskId];
      result[run.taskId] = isMap(existing) ? { ...existing, ...run.outputs } : run.outputs;
      continue;
    }
    let node = child(result, run.taskId);
    for (let i = 0; i < values.length - 1; i++) node = child(node, values[i]);
    const last = values[values.length - 1];
    const existing = node[last];
    node[last] = isMap(existing) ? { ...existing, ...run.outputs } : run.outputs;
  }
  return result;
}

/** Loop values of a run's ancestors, outermost first. */
function ancestorValues(run: TaskRun, lookup: RunLookup): string[] {
  const values: string[] = [];
  let parentId = run.parentTaskRunId;
  while (parentId !== undefined) {
    const parent = lookup.get(parentId);
    if (!parent) break;
    if (parent.value !== undefined) values.push(parent.value);
    parentId = parent.parentTaskRunId;
  }
  return values.reverse();
}

/** `parents`: the nearest ancestor first, each with its loop value and outputs when it has them. */
function parentsOf(run: TaskRun, lookup: RunLookup): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let parentId = run.parentTaskRunId;
  while (parentId !== undefined) {
    const parent = lookup.get(parentId);
    if (!parent) break;
    const entry: Record<string, unknown> = {};
    if (parent.value !== undefined) entry.taskrun = { value: parent.value };
    if (parent.outputs && Object.keys(parent.outputs).length > 0) entry.outputs = parent.outputs;
    if (Object.keys(entry).length > 0) out.push(entry);
    parentId = parent.parentTaskRunId;
  }
  return out;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Attempts that already ended: what `taskrun.attemptsCount` shows to the attempt about to run. */
export function attemptsCount(run: TaskRun): number {
  let n = 0;
  for (const a of run.attempts) if (a.state.current !== 'CREATED' && a.state.current !== 'RUNNING') n++;
  return n;
}

export interface VariableSources {
  execution: Omit<Execution, 'taskRunList'>;
  flow: Flow;
  lookup: RunLookup;
  outputs: () => Record<string, unknown>;
  context?: VariablesContext;
}

export function variablesFrom(src: VariableSources, run: TaskRun | undefined): Record<string, unknown> {
  const { execution, flow } = src;
  const vars: Record<string, unknown> = {
    flow: { id: flow.id, namespace: flow.namespace, revision: flow.revision ?? execution.flowRevision },
    execution: {
      id: execution.id,
      startDate: execution.state.histories[0]?.date,
      originalId: execution.originalId ?? execution.id,
    },
    outputs: src.outputs(),
    inputs: execution.inputs ?? {},
    vars: flow.variables ?? {},
    labels: execution.labels ?? {},
    globals: src.context?.globals ?? {},
    envs: src.context?.envs ?? {},
  };
  if (execution.trigger) vars.trigger = execution.trigger.variables;
  if (run) {
    const task = flowIndex(flow).nodes.get(run.taskId)?.task;
    vars.task = { id: run.taskId, type: task?.type };
    const taskrun: Record<string, unknown> = {
      id: run.id,
      startDate: run.state.histories[0]?.date,
      attemptsCount: attemptsCount(run),
    };
    if (run.parentTaskRunId !== undefined) taskrun.parentId = run.parentTaskRunId;
    if (run.value !== undefined) taskrun.value = run.value;
    vars.taskrun = taskrun;
    const parents = parentsOf(run, src.lookup);
    vars.parents = parents;
    if (parents.length > 0) vars.parent = parents[0];
  }
  return vars;
}

/**
 * The variables a runnable task (worker) or flowable renders with: flow, execution, task, taskrun,
 * parent/parents, outputs (addressed by loop value), inputs, vars, trigger, labels, globals, envs.
 */
export function buildVariables(execution: Execution, flow: Flow, taskRun: TaskRun | undefined, context?: VariablesContext): Record<string, unknown> {
  const list = execution.taskRunList;
  const lookup = lookupOf(list);
  return variablesFrom({
    execution, flow, lookup, context,
    outputs: () => {
      let outputs = outputsCache.get(list);
      if (!outputs) {
        outputs = outputsOf(list, lookup);
        outputsCache.set(list, outputs);
      }
      return outputs;
    },
  }, taskRun);
}
