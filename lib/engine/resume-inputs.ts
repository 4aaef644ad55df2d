// A Pause's `onResume` inputs (Kestra 1.x): the values sent with a Resume, typed and checked like flow
// inputs, with their defaults. The API checks them before it resumes (so a bad value is refused with
// its reason); the engine applies the same check and ignores a Resume that does not pass it.
import type { Execution } from '../model/execution';
import type { Flow, FlowInput, Task } from '../model/flow';
import { InputType } from '../model/flow';
import { coerceInputValue } from '../model/input-value';
import { State } from '../model/states';
import { flowIndex } from './flow-index';

export type ResumeInputs = { ok: true; values: Record<string, unknown> } | { ok: false; message: string; property: string };

const TYPES = new Set<string>(Object.values(InputType));

/** The typed `onResume` values of `task` for the inputs given; the given values as they are when it declares none. */
export function resumeInputs(task: Task, given: Record<string, unknown> | undefined): ResumeInputs {
  const declared = Array.isArray(task.onResume) ? (task.onResume as Record<string, unknown>[]) : undefined;
  if (!declared) return { ok: true, values: given ?? {} };
  const values: Record<string, unknown> = {};
  for (const [i, d] of declared.entries()) {
    const id = typeof d.id === 'string' ? d.id : typeof d.name === 'string' ? d.name : undefined;
    if (id === undefined || typeof d.type !== 'string' || !TYPES.has(d.type)) continue;
    const property = `onResume[${i}]`;
    const input: FlowInput = { id, type: d.type as InputType, required: d.required !== false };
    const raw = given?.[id] ?? d.defaults;
    if (raw === undefined || raw === null || raw === '') {
      if (input.required) return { ok: false, message: `missing required resume input '${id}'`, property };
      continue;
    }
    // Files are uploaded by the API and arrive as kestra:/// URIs.
    const typed = input.type === InputType.FILE ? { ok: true as const, value: raw } : coerceInputValue(input, raw);
    if (!typed.ok) return { ok: false, message: `resume input '${id}': ${typed.message}`, property };
    values[id] = typed.value;
  }
  return { ok: true, values };
}

/** What a Resume of `execution` (without a task run id: its first PAUSED run) would do with `inputs`. */
export function checkResume(execution: Execution, flow: Flow, inputs: Record<string, unknown> | undefined): ResumeInputs & { task?: string } {
  const run = execution.taskRunList.find((r) => r.state.current === State.PAUSED);
  const task = run && flowIndex(flow).nodes.get(run.taskId)?.task;
  if (!task) return { ok: true, values: inputs ?? {} };
  return { ...resumeInputs(task, inputs), task: task.id };
}
