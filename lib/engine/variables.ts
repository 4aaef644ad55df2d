// The variables a task renders with, shaped as Kestra's RunContext builds them.
import type { Execution, TaskRun } from '../model/execution';
import type { Flow } from '../model/flow';
import { flowIndex } from './flow-index';
import { lookupOf, type RunLookup } from './run-index';
import { getOwn, setOwn } from '../model/own';

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
  let nested: NestedOutputs | undefined;
  for (const run of list) {
    if (!run.outputs) continue;
    // Usual case: a run outside loops is addressed by its task id alone.
    const values = run.parentTaskRunId === undefined && run.value === undefined ? undefined : ancestorValues(run, lookup);
    if (values && run.value !== undefined) values.push(run.value);
    if (!values || values.length === 0) {
      const existing = result[run.taskId];
      result[run.taskId] = isMap(existing) ? { ...existing, ...run.outputs } : run.outputs;
      continue;
    }
    (nested ??= new NestedOutputs()).put(result, run.taskId, values, run.outputs);
  }
  return result;
}

/** Outputs addressed by loop values, in maps this build created (and may therefore merge into). */
class NestedOutputs {
  private readonly owned = new WeakSet<object>();

  put(result: Record<string, unknown>, taskId: string, values: readonly string[], outputs: Record<string, unknown>): void {
    let node = this.child(result, taskId);
    for (let i = 0; i < values.length - 1; i++) node = this.child(node, values[i]);
    const last = values[values.length - 1];
    const existing = getOwn(node, last);
    setOwn(node, last, isMap(existing) ? { ...existing, ...outputs } : outputs);
  }

  private child(node: Record<string, unknown>, key: string): Record<string, unknown> {
    const existing = getOwn(node, key);
    if (isMap(existing) && this.owned.has(existing)) return existing;
    const made: Record<string, unknown> = isMap(existing) ? { ...existing } : {};
    this.owned.add(made);
    setOwn(node, key, made);
    return made;
  }
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

// Variables are read, never written (templates keep their own scopes), so parts that do not change
// are built once and shared: a task is dispatched with a fresh set of variables every time. They
// are not frozen: lookups on frozen objects measured slower in the template evaluator.
const EMPTY: Readonly<Record<string, unknown>> = {};
const NO_PARENTS: readonly Record<string, unknown>[] = [];
const flowVars = new WeakMap<Flow, Record<string, unknown>>();
const taskVars = new WeakMap<object, Record<string, unknown>>();

function flowVariables(flow: Flow, revision: number): Record<string, unknown> {
  if (flow.revision === undefined) return { id: flow.id, namespace: flow.namespace, revision };
  let vars = flowVars.get(flow);
  if (!vars) flowVars.set(flow, (vars = { id: flow.id, namespace: flow.namespace, revision: flow.revision }));
  return vars;
}

function taskVariables(taskId: string, task: { type?: unknown } | undefined): Record<string, unknown> {
  if (!task) return { id: taskId, type: undefined };
  let vars = taskVars.get(task);
  if (!vars) taskVars.set(task, (vars = { id: taskId, type: task.type }));
  return vars;
}

export function variablesFrom(src: VariableSources, run: TaskRun | undefined): Record<string, unknown> {
  const { execution, flow } = src;
  const vars: Record<string, unknown> = {
    flow: flowVariables(flow, execution.flowRevision),
    execution: {
      id: execution.id,
      startDate: execution.state.histories[0]?.date,
      originalId: execution.originalId ?? execution.id,
      // Kestra 1.x: afterExecution tasks read the state the execution ends in.
      state: execution.ending ?? execution.state.current,
    },
    outputs: src.outputs(),
    inputs: execution.inputs ?? EMPTY,
    vars: execution.variables ?? flow.variables ?? EMPTY,
    labels: execution.labels ?? EMPTY,
    globals: src.context?.globals ?? EMPTY,
    envs: src.context?.envs ?? EMPTY,
  };
  if (execution.trigger) vars.trigger = execution.trigger.variables;
  if (run) {
    vars.task = taskVariables(run.taskId, flowIndex(flow).nodes.get(run.taskId)?.task);
    const taskrun: Record<string, unknown> = {
      id: run.id,
      startDate: run.state.histories[0]?.date,
      attemptsCount: attemptsCount(run),
    };
    if (run.parentTaskRunId !== undefined) taskrun.parentId = run.parentTaskRunId;
    if (run.value !== undefined) taskrun.value = run.value;
    vars.taskrun = taskrun;
    const parents = run.parentTaskRunId === undefined ? NO_PARENTS : parentsOf(run, src.lookup);
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
