// Execution inputs: given values are checked and converted to their declared types, as Kestra's
// RunnerUtils.typedInputs does. Pure: FILE inputs are uploaded by the runtime beforehand (see
// pendingFileUploads) and arrive here as kestra:/// URIs.
import { z } from 'zod';
import { AloftError, ErrorCode } from './errors';
import type { AloftErrorData } from './errors';
import { flowKey, InputType } from './flow';
import type { Flow, FlowInput } from './flow';
import { didYouMean } from './flow-suggest';
import { coerceInputValue } from './input-value';

export interface InputsResult {
  ok: boolean;
  /** Typed values by input id; dotted ids (`a.b`) nest as Kestra does (`inputs.a.b`). */
  inputs: Record<string, unknown>;
  errors: AloftErrorData[];
  /** Given values the flow does not declare: ignored, as in Kestra. */
  warnings: AloftErrorData[];
}

export interface CoerceOptions {
  /** kestra:/// URIs of FILE inputs the runtime has uploaded, by input id; they win over `given`. */
  files?: Readonly<Record<string, string>>;
  /**
   * Renders a `dependsOn.condition` with the given variables (`inputs`: the typed values of the inputs
   * it depends on, `flow`). The model renders nothing itself; without it, conditions are not evaluated
   * and every input is checked.
   */
  condition?: (expression: string, variables: Record<string, unknown>) => unknown;
}

/** A FILE input given as a local file, for the runtime to upload (`aloft run --file k=path`). */
export const LocalFile = z.object({ file: z.string().min(1) }).strict();
export type LocalFile = z.infer<typeof LocalFile>;

export interface FileUpload {
  input: string;
  path: string;
}

/**
 * The FILE inputs the runtime must copy into internal storage before calling coerceInputs:
 * values given as `{ file: path }`, or as a plain path (Kestra 0.x accepts both).
 */
export function pendingFileUploads(flow: Flow, given: Readonly<Record<string, unknown>>): FileUpload[] {
  const out: FileUpload[] = [];
  for (const input of flow.inputs ?? []) {
    if (input.type !== InputType.FILE) continue;
    const v = Object.hasOwn(given, input.id) ? given[input.id] : undefined;
    const marker = LocalFile.safeParse(v);
    if (marker.success) out.push({ input: input.id, path: marker.data.file });
    else if (typeof v === 'string' && v !== '' && !v.startsWith('kestra://')) out.push({ input: input.id, path: v });
  }
  return out;
}

export function coerceInputs(flow: Flow, given: Readonly<Record<string, unknown>>, opts: CoerceOptions = {}): InputsResult {
  // Most flows declare no input and most starts give none: nothing to check, and no state to set up.
  if (!flow.inputs?.length && isEmptyRecord(given) && isEmptyRecord(opts.files)) return { ok: true, inputs: {}, errors: [], warnings: [] };
  const where = (id: string): Pick<AloftErrorData, 'flow' | 'property'> => ({ flow: flowKey(flow.namespace, flow.id), property: `inputs.${id}` });
  const values: Record<string, unknown> = { ...given, ...opts.files };
  const declared = flow.inputs ?? [];
  const errors: AloftErrorData[] = [];
  const warnings: AloftErrorData[] = [];
  const flat: Record<string, unknown> = {};

  // As Kestra's FlowInputOutput: an input is enabled when every input it depends on is, and its
  // `dependsOn.condition` renders to true; a disabled input is neither checked nor kept.
  const state = new Map<string, 'enabled' | 'disabled' | 'invalid'>();
  const visiting = new Set<string>();
  const byId = new Map(declared.map((i) => [i.id, i]));
  const resolve = (input: FlowInput): 'enabled' | 'disabled' | 'invalid' => {
    const done = state.get(input.id);
    if (done) return done;
    if (visiting.has(input.id)) {
      errors.push({ code: ErrorCode.INPUT_INVALID, message: `input '${input.id}': dependsOn makes a cycle through '${input.id}'`, ...where(input.id) });
      state.set(input.id, 'invalid');
      return 'invalid';
    }
    visiting.add(input.id);
    const r = resolveOne(input);
    visiting.delete(input.id);
    state.set(input.id, r);
    return r;
  };
  const resolveOne = (input: FlowInput): 'enabled' | 'disabled' | 'invalid' => {
    const deps = (input.dependsOn?.inputs ?? []).map((id) => byId.get(id)).filter((d): d is FlowInput => d !== undefined);
    const depStates = deps.map(resolve);
    // A dependency that is wrong is reported on its own; this input is not checked on top of it.
    if (depStates.includes('invalid')) return 'invalid';
    if (depStates.includes('disabled')) return 'disabled';
    const condition = input.dependsOn?.condition;
    if (condition !== undefined && opts.condition) {
      const depValues: Record<string, unknown> = {};
      for (const d of deps) depValues[d.id] = flat[d.id];
      let rendered: unknown;
      try {
        rendered = opts.condition(condition, { inputs: nest(depValues), flow: { id: flow.id, namespace: flow.namespace } });
      } catch (e) {
        errors.push({ code: ErrorCode.INPUT_INVALID, message: `input '${input.id}': invalid dependsOn.condition: ${(e as Error).message}`, ...where(input.id) });
        return 'invalid';
      }
      if (rendered !== true) return 'disabled';
    }
    return check(input) ? 'enabled' : 'invalid';
  };
  const check = (input: FlowInput): boolean => {
    // Own properties only: an input named toString must not read Object.prototype's.
    let value = Object.hasOwn(values, input.id) ? values[input.id] : undefined;
    if ((value === undefined || value === null) && input.defaults !== undefined && input.defaults !== null) value = input.defaults;
    if (value === undefined || value === null) {
      if (input.required !== false) {
        errors.push({ code: ErrorCode.INPUT_INVALID, message: `missing required input '${input.id}' (${input.type})`, ...where(input.id) });
        return false;
      }
      flat[input.id] = null;
      return true;
    }
    const r = coerceInputValue(input, value);
    if (r.ok) flat[input.id] = r.value;
    else errors.push({ code: ErrorCode.INPUT_INVALID, message: `input '${input.id}': ${r.message}`, ...where(input.id) });
    return r.ok;
  };
  for (const input of declared) resolve(input);

  const ids = declared.map((i) => i.id);
  for (const key of Object.keys(values)) {
    if (!ids.includes(key)) {
      warnings.push({ code: ErrorCode.INPUT_INVALID, message: `unknown input '${key}' is ignored${didYouMean(key, ids)}`, ...where(key) });
    }
  }
  return { ok: errors.length === 0, inputs: nest(flat), errors, warnings };
}

/** Like coerceInputs, but throws the first error as an AloftError (INPUT_INVALID). */
export function coerceInputsOrThrow(flow: Flow, given: Readonly<Record<string, unknown>>, opts: CoerceOptions = {}): Record<string, unknown> {
  const r = coerceInputs(flow, given, opts);
  if (!r.ok) {
    const { code, message, hint, ...location } = r.errors[0];
    const more = r.errors.length > 1 ? ` (and ${r.errors.length - 1} more: ${r.errors.slice(1).map((e) => e.message).join('; ')})` : '';
    throw new AloftError(code, message + more, location, hint);
  }
  return r.inputs;
}

/**
 * `{ 'a.b': 1 }` becomes `{ a: { b: 1 } }`, as Kestra nests dotted input ids. Parts are own data
 * properties (an id `a.__proto__.b` must not reach Object.prototype).
 */
function nest(flat: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (at: Record<string, unknown>, key: string, value: unknown): void => {
    Object.defineProperty(at, key, { value, writable: true, enumerable: true, configurable: true });
  };
  for (const [id, value] of Object.entries(flat)) {
    const parts = id.split('.');
    let at = out;
    for (const part of parts.slice(0, -1)) {
      const next = Object.hasOwn(at, part) ? at[part] : undefined;
      if (!next || typeof next !== 'object' || Array.isArray(next)) put(at, part, {});
      at = at[part] as Record<string, unknown>;
    }
    put(at, parts[parts.length - 1], value);
  }
  return out;
}

/** True for no object, or one without keys (no inputs given), without listing its keys. */
export function isEmptyRecord(value: object | undefined): boolean {
  if (value) for (const _ in value) return false;
  return true;
}
