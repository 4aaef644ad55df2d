// Execution inputs: given values are checked and converted to their declared types, as Kestra's
// RunnerUtils.typedInputs does. Pure: FILE inputs are uploaded by the runtime beforehand (see
// pendingFileUploads) and arrive here as kestra:/// URIs.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDurationMs } from './duration';
import { AloftError, ErrorCode } from './errors';
import type { AloftErrorData } from './errors';
import { flowKey, InputType, ItemType } from './flow';
import type { Flow, FlowInput } from './flow';
import { didYouMean } from './flow-suggest';
import { MAX_NESTING, valueDepth } from './json-bounds';
import { isSecretValue, secretValue } from './secret-value';
import { SCHEME, uriToKey } from './storage-uri';

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

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const EXPECTS: Record<InputType, string> = {
  STRING: 'STRING (a string)', INT: 'INT (an integer)', FLOAT: 'FLOAT (a number)', BOOLEAN: 'BOOLEAN (true or false)',
  BOOL: 'BOOL (true or false)',
  DATETIME: 'DATETIME (an ISO-8601 instant such as 2024-01-31T12:00:00Z)', DATE: 'DATE (such as 2024-01-31)',
  TIME: 'TIME (such as 13:45 or 13:45:30)', DURATION: 'DURATION (ISO-8601, such as PT30S or P1DT2H)',
  JSON: 'JSON', YAML: 'YAML', URI: 'URI (such as https://example.com/a)', EMAIL: 'EMAIL (such as ada@example.com)',
  SECRET: 'SECRET (a string)', FILE: `FILE (a ${SCHEME} URI of an uploaded file)`,
  ENUM: 'ENUM (one of its values)', SELECT: 'SELECT (one of its values)', MULTISELECT: 'MULTISELECT (a list of its values)',
  ARRAY: 'ARRAY (a list, or a JSON array)',
};

/** One value converted to its input's type, with the input's own constraints (min, max, validator…). */
export function coerceInputValue(input: FlowInput, value: unknown): Coerced {
  const r = convert(input, value);
  if (r === undefined) {
    // A secret's value is never quoted back.
    return { ok: false, message: `expected ${EXPECTS[input.type]}, got ${input.type === InputType.SECRET ? `a ${typeof value}` : show(value)}` };
  }
  if ('message' in r) return { ok: false, message: r.message };
  if (valueDepth(r.value) > MAX_NESTING) return { ok: false, message: `the value is nested deeper than ${MAX_NESTING} levels` };
  const broken = constraint(input, r.value);
  return broken ? { ok: false, message: broken } : r;
}

type Converted = { ok: true; value: unknown } | { ok: false; message: string } | undefined;

/** ENUM/SELECT/MULTISELECT values (MULTISELECT's older name for them is `options`). */
const choices = (input: FlowInput): readonly string[] => input.values ?? input.options ?? [];

function convert(input: FlowInput, value: unknown): Converted {
  const ok = (v: unknown): { ok: true; value: unknown } => ({ ok: true, value: v });
  const text = typeof value === 'string' ? value.trim() : undefined;
  switch (input.type) {
    case InputType.ENUM:
    case InputType.SELECT: {
      if (typeof value !== 'string') return undefined;
      const allowed = choices(input);
      if (allowed.includes(value) || (input.type === InputType.SELECT && input.allowCustomValue === true)) return ok(value);
      return { ok: false, message: `${show(value)} is not one of the values ${allowed.map(show).join(', ')}` };
    }
    case InputType.MULTISELECT: {
      const items = listOf(value);
      if (items === undefined || !items.every((x) => typeof x === 'string')) return undefined;
      const allowed = choices(input);
      const stray = input.allowCustomValue === true ? undefined : items.find((x) => !allowed.includes(x as string));
      if (stray !== undefined) return { ok: false, message: `${show(stray)} is not one of the values ${allowed.map(show).join(', ')}` };
      return ok(items);
    }
    case InputType.ARRAY: {
      const items = listOf(value);
      if (items === undefined) return undefined;
      const itemType = input.itemType ?? ItemType.STRING;
      const out: unknown[] = [];
      for (const [i, item] of items.entries()) {
        const r = convert({ id: input.id, type: itemType }, item);
        if (r === undefined) return { ok: false, message: `item ${i}: expected ${EXPECTS[itemType]}, got ${show(item)}` };
        if ('message' in r) return { ok: false, message: `item ${i}: ${r.message}` };
        out.push(r.value);
      }
      return ok(out);
    }
    case InputType.YAML:
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(parseYaml(value, { schema: 'core', maxAliasCount: 100 }));
      } catch {
        return undefined;
      }
    case InputType.EMAIL:
      return text !== undefined && EMAIL.test(text) ? ok(text) : undefined;
    case InputType.SECRET:
      // Kept marked (model/secret-value.ts); a marked value (a subflow's input, a restart) stays as it is.
      if (isSecretValue(value)) return ok(value);
      return typeof value === 'string' ? ok(secretValue(value)) : undefined;
    case InputType.BOOL:
      return convert({ ...input, type: InputType.BOOLEAN }, value);
    default:
      return convertScalar(input.type, value, text);
  }
}

/** A list given as a list, or as the text of a JSON array (a form or `--input` gives text). */
function listOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// The shape browsers check for type=email: one @, no spaces, a dotted domain of letters, digits and -.
const EMAIL = /^[^\s@]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

function convertScalar(type: InputType, value: unknown, text: string | undefined): Converted {
  const ok = (v: unknown): { ok: true; value: unknown } => ({ ok: true, value: v });
  switch (type) {
    case InputType.STRING:
      return typeof value === 'string' ? ok(value) : typeof value === 'number' || typeof value === 'boolean' ? ok(String(value)) : undefined;
    case InputType.INT: {
      const n = typeof value === 'number' ? value : text !== undefined && /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      return Number.isSafeInteger(n) ? ok(n) : undefined;
    }
    case InputType.FLOAT: {
      const n = typeof value === 'number' ? value : text !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
      return Number.isFinite(n) ? ok(n) : undefined;
    }
    case InputType.BOOLEAN:
      if (typeof value === 'boolean') return ok(value);
      return text !== undefined && /^(true|false)$/i.test(text) ? ok(text.toLowerCase() === 'true') : undefined;
    case InputType.DATETIME: {
      const instant = text !== undefined ? toUtcInstant(text) : undefined;
      return instant !== undefined ? ok(instant) : undefined;
    }
    case InputType.DATE:
      return text !== undefined && isDate(text) ? ok(text) : undefined;
    case InputType.TIME:
      return text !== undefined && /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?$/.test(text) ? ok(text) : undefined;
    case InputType.DURATION:
      return text !== undefined && parseDurationMs(text) !== undefined ? ok(text.toUpperCase()) : undefined;
    case InputType.JSON:
      if (typeof value !== 'string') return ok(value);
      try {
        return ok(JSON.parse(value));
      } catch {
        return undefined;
      }
    case InputType.URI:
      return text !== undefined && isUri(text) ? ok(text) : undefined;
    case InputType.SELECT:
      return typeof value === 'string' ? ok(value) : typeof value === 'number' || typeof value === 'boolean' ? ok(String(value)) : undefined;
    case InputType.MULTISELECT: {
      // A list, or a JSON array in a string (a form or query parameter), as Kestra reads it.
      let list = value;
      if (text !== undefined) {
        try {
          list = JSON.parse(text);
        } catch {
          return undefined;
        }
      }
      if (!Array.isArray(list) || !list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return undefined;
      return ok(list.map(String));
    }
    case InputType.FILE:
      if (text === undefined || !text.startsWith(SCHEME)) return undefined;
      try {
        uriToKey(text);
        return ok(text);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

const TEXT_TYPES: readonly InputType[] = [InputType.STRING, InputType.SECRET, InputType.EMAIL];

function constraint(input: FlowInput, marked: unknown): string | undefined {
  const value = isSecretValue(marked) ? marked.value : marked;
  const { validator, min, max, after, before, minLength, maxLength } = input;
  const secret = input.type === InputType.SECRET;
  if (TEXT_TYPES.includes(input.type) && validator !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${validator})$`);
    } catch {
      return `the validator '${validator}' is not a valid regular expression`;
    }
    // A secret's value is never quoted back.
    if (!re.test(String(value))) return `${secret ? 'the value' : show(value)} does not match the validator '${validator}'`;
  }
  if (TEXT_TYPES.includes(input.type) && typeof value === 'string') {
    if (minLength !== undefined && value.length < minLength) return `the value is ${value.length} characters long, less than minLength ${minLength}`;
    if (maxLength !== undefined && value.length > maxLength) return `the value is ${value.length} characters long, more than maxLength ${maxLength}`;
  }
  if (Array.isArray(value)) {
    if (minLength !== undefined && value.length < minLength) return `the list has ${value.length} items, fewer than minLength ${minLength}`;
    if (maxLength !== undefined && value.length > maxLength) return `the list has ${value.length} items, more than maxLength ${maxLength}`;
  }
  if ((input.type === InputType.INT || input.type === InputType.FLOAT) && typeof value === 'number') {
    if (min !== undefined && value < Number(min)) return `${value} is less than the minimum ${min}`;
    if (max !== undefined && value > Number(max)) return `${value} is more than the maximum ${max}`;
  }
  if (input.type === InputType.DURATION) {
    const ms = parseDurationMs(String(value)) ?? 0;
    if (min !== undefined && ms < (parseDurationMs(String(min)) ?? -Infinity)) return `${String(value)} is shorter than the minimum ${min}`;
    if (max !== undefined && ms > (parseDurationMs(String(max)) ?? Infinity)) return `${String(value)} is longer than the maximum ${max}`;
  }
  if (input.type === InputType.DATETIME || input.type === InputType.DATE || input.type === InputType.TIME) {
    const key = (v: string): string => (input.type === InputType.DATETIME ? toUtcInstant(v) ?? v : v);
    // ISO texts of one kind, normalised to UTC, sort as their instants do once padded alike.
    const cmp = (a: string, b: string): number => {
      const [x, y] = [key(a).replace(/Z$/, ''), key(b).replace(/Z$/, '')];
      return x < y ? -1 : x > y ? 1 : 0;
    };
    if (after !== undefined && cmp(String(value), after) <= 0) return `${String(value)} is not after ${after}`;
    if (before !== undefined && cmp(String(value), before) >= 0) return `${String(value)} is not before ${before}`;
  }
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isDate(text: string): boolean {
  const m = DATE.exec(text);
  return !!m && validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** An ISO-8601 date-time with a zone, as a UTC instant in Java's Instant.toString form (`…Z`). */
export function toUtcInstant(text: string): string | undefined {
  const m = INSTANT.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const s = Number(m[6] ?? 0);
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offsetMin = 0;
  if (!/^z$/i.test(m[8])) {
    const sign = m[8][0] === '-' ? -1 : 1;
    const digits = m[8].slice(1).replace(':', '');
    offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0));
  }
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  const utc = new Date(date.getTime() - offsetMin * 60_000).toISOString().replace(/\.\d{3}Z$/, '');
  return `${utc}${javaFraction(m[7] ?? '')}Z`;
}

/** Java prints a fraction of a second in groups of 3 digits, and not at all when it is zero. */
function javaFraction(digits: string): string {
  const nanos = digits.padEnd(9, '0');
  if (/^0+$/.test(nanos)) return '';
  if (nanos.endsWith('000000')) return `.${nanos.slice(0, 3)}`;
  if (nanos.endsWith('000')) return `.${nanos.slice(0, 6)}`;
  return `.${nanos}`;
}

function isUri(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 60 ? `${v.slice(0, 57)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (v && typeof v === 'object') return 'a map';
  return String(v);
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
