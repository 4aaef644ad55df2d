// The final execution as one JSON document shaped like Kestra's Execution.
import type { Execution, TaskRun } from '../model/execution';
import { outputsOf } from '../engine';
import { maskSecretValues } from '../model/secret-value';
import { isTerminal } from '../model/states';

export interface ExecutionJson {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: { current: string; histories: Array<{ state: string; date: string }>; startDate?: string; endDate?: string; duration?: string };
  inputs: Record<string, unknown>;
  /** The flow's own `outputs` (Kestra 1.x), as Kestra places them; task outputs are on their task runs. */
  outputs?: Record<string, unknown>;
  /** Kestra's shape: a list of `{ key, value }`. */
  labels?: Array<{ key: string; value: string }>;
  trigger?: unknown;
  parentId?: string;
  originalId?: string;
  error?: unknown;
  taskRunList: Array<{
    id: string; parentTaskRunId?: string; taskId: string; value?: string;
    state: { current: string; histories: Array<{ state: string; date: string }> };
    attempts: Array<{ state: { current: string; histories: Array<{ state: string; date: string }> } }>;
    outputs?: Record<string, unknown>;
    error?: unknown;
  }>;
}

/**
 * Outputs of every task run as flows address them: by task id, and inside loops by each enclosing value
 * (what `aloft run` prints; not part of the execution JSON, where Kestra keeps them on their task runs).
 */
export function executionOutputs(execution: Execution): Record<string, unknown> {
  return maskSecretValues(outputsOf(execution.taskRunList));
}

const runJson = (r: TaskRun): ExecutionJson['taskRunList'][number] => ({
  id: r.id,
  ...(r.parentTaskRunId ? { parentTaskRunId: r.parentTaskRunId } : {}),
  taskId: r.taskId,
  ...(r.value !== undefined ? { value: r.value } : {}),
  state: r.state,
  attempts: r.attempts.map((a) => ({ state: a.state })),
  ...(r.outputs ? { outputs: maskSecretValues(r.outputs) } : {}),
  ...(r.error ? { error: r.error } : {}),
});

export function toExecutionJson(e: Execution): ExecutionJson {
  const h = e.state.histories;
  const start = h[0]?.date;
  const end = h.length && isTerminal(e.state.current) ? h[h.length - 1].date : undefined;
  return {
    id: e.id,
    namespace: e.namespace,
    flowId: e.flowId,
    flowRevision: e.flowRevision,
    state: { ...e.state, ...(start ? { startDate: start } : {}), ...(end ? { endDate: end } : {}) },
    // SECRET inputs and outputs are shown masked, as Kestra's API never shows them in clear.
    inputs: maskSecretValues(e.inputs),
    ...(e.outputs ? { outputs: maskSecretValues(e.outputs) } : {}),
    ...(e.labels && Object.keys(e.labels).length ? { labels: Object.entries(e.labels).map(([key, value]) => ({ key, value })) } : {}),
    ...(e.trigger ? { trigger: e.trigger } : {}),
    ...(e.parent ? { parentId: e.parent.executionId } : {}),
    ...(e.originalId ? { originalId: e.originalId } : {}),
    ...(e.error ? { error: e.error } : {}),
    taskRunList: e.taskRunList.map(runJson),
  };
}
