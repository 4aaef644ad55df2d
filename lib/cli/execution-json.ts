// The final execution as one JSON document shaped like Kestra's Execution.
import type { Execution, TaskRun } from '../model/execution';

export interface ExecutionJson {
  id: string;
  namespace: string;
  flowId: string;
  flowRevision: number;
  state: { current: string; histories: Array<{ state: string; date: string }>; startDate?: string; endDate?: string; duration?: string };
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  labels?: Record<string, string>;
  trigger?: unknown;
  parentId?: string;
  originalId?: string;
  taskRunList: Array<{
    id: string; parentTaskRunId?: string; taskId: string; value?: string;
    state: { current: string; histories: Array<{ state: string; date: string }> };
    attempts: Array<{ state: { current: string; histories: Array<{ state: string; date: string }> } }>;
    outputs?: Record<string, unknown>;
    error?: unknown;
  }>;
}

/** Outputs of every task run, keyed by task id; inside loops, by value as well. */
export function executionOutputs(execution: Execution): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const run of execution.taskRunList) {
    if (!run.outputs || Object.keys(run.outputs).length === 0) continue;
    if (run.value === undefined) out[run.taskId] = run.outputs;
    else {
      const byValue = (out[run.taskId] ??= {}) as Record<string, unknown>;
      byValue[run.value] = run.outputs;
    }
  }
  return out;
}

const runJson = (r: TaskRun): ExecutionJson['taskRunList'][number] => ({
  id: r.id,
  ...(r.parentTaskRunId ? { parentTaskRunId: r.parentTaskRunId } : {}),
  taskId: r.taskId,
  ...(r.value !== undefined ? { value: r.value } : {}),
  state: r.state,
  attempts: r.attempts.map((a) => ({ state: a.state })),
  ...(r.outputs ? { outputs: r.outputs } : {}),
  ...(r.error ? { error: r.error } : {}),
});

export function toExecutionJson(e: Execution): ExecutionJson {
  const h = e.state.histories;
  const start = h[0]?.date;
  const end = h.length ? h[h.length - 1].date : undefined;
  return {
    id: e.id,
    namespace: e.namespace,
    flowId: e.flowId,
    flowRevision: e.flowRevision,
    state: { ...e.state, ...(start ? { startDate: start } : {}), ...(end ? { endDate: end } : {}) },
    inputs: e.inputs,
    outputs: executionOutputs(e),
    ...(e.labels && Object.keys(e.labels).length ? { labels: e.labels } : {}),
    ...(e.trigger ? { trigger: e.trigger } : {}),
    ...(e.parent ? { parentId: e.parent.executionId } : {}),
    ...(e.originalId ? { originalId: e.originalId } : {}),
    taskRunList: e.taskRunList.map(runJson),
  };
}
