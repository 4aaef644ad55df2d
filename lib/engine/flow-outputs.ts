// Kestra 1.x flow `outputs`: rendered when the execution ends, against its final variables, and
// typed like inputs. An output that fails to render, or whose value does not fit its type, fails
// the execution with an error naming the output.
import { ErrorCode } from '../model/errors';
import type { FlowInput } from '../model/flow';
import { coerceInputValue } from '../model/input-value';
import type { Draft } from './draft';
import { renderProperty } from './render';
import { cleanError, type ErrorData } from './state-ops';

export function renderFlowOutputs(d: Draft): { outputs: Record<string, unknown> } | { error: ErrorData } {
  const outputs: Record<string, unknown> = {};
  const site = { now: d.now, vars: d.variables(undefined), flow: d.fx.key, task: '' };
  for (const output of d.flow.outputs ?? []) {
    const property = `outputs.${output.id}`;
    const rendered = renderProperty(site, property, output.value);
    if (!rendered.ok) return { error: cleanError({ ...rendered.error, task: undefined, message: `flow output '${output.id}': ${rendered.error.message}` }) };
    if ((rendered.value === undefined || rendered.value === null) && output.required === false) continue;
    const asInput: FlowInput = { id: output.id, type: output.type, required: output.required ?? true };
    const typed = coerceInputValue(asInput, rendered.value);
    if (!typed.ok) return { error: { code: ErrorCode.EXPRESSION, message: `flow output '${output.id}' (${output.type}): ${typed.message}`, flow: d.fx.key, property } };
    outputs[output.id] = typed.value;
  }
  return { outputs };
}
