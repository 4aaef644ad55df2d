// Nesting bounds for values that come from outside (HTTP bodies, webhook and Pub/Sub payloads, inputs,
// YAML, task outputs). A deeply nested value is cheap to send and breaks every recursive walk that
// later meets it (serialisation, rendering, validation), so it is refused where it enters.
import { AloftError, ErrorCode, type ErrorLocation } from './errors';

/** Jackson's default (StreamReadConstraints), so any document Kestra reads, Aloft reads. */
export const MAX_NESTING = 1000;

/** What replaces a part of a stored value nested beyond the bound when it is read back. */
export const CLIPPED = '[nested too deep]';

/** The deepest nesting of arrays and objects in JSON text, counted without parsing (stops past `max`). */
export function jsonTextDepth(text: string, max = MAX_NESTING): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest && (deepest = depth) > max) return deepest;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/**
 * The deepest nesting of arrays and objects in a value (a scalar is 0), walked without recursion.
 * Two parallel stacks rather than a pair per node: every task's outputs are measured.
 */
export function valueDepth(value: unknown, max = MAX_NESTING): number {
  if (value === null || typeof value !== 'object') return 0;
  if (max >= 1 && isFlat(value)) return 1;
  const values: object[] = [value];
  const depths: number[] = [1];
  let deepest = 0;
  while (values.length > 0) {
    const v = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > deepest && (deepest = depth) > max) return deepest;
    if (Array.isArray(v)) {
      for (const child of v) if (child !== null && typeof child === 'object') { values.push(child); depths.push(depth + 1); }
    } else {
      for (const k of Object.keys(v)) {
        const child = (v as Record<string, unknown>)[k];
        if (child !== null && typeof child === 'object') { values.push(child); depths.push(depth + 1); }
      }
    }
  }
  return deepest;
}

/** An array or object that holds no array or object (most task outputs): depth 1, with no stack. */
function isFlat(v: object): boolean {
  if (Array.isArray(v)) {
    for (const child of v) if (child !== null && typeof child === 'object') return false;
    return true;
  }
  for (const k in v) {
    const child = (v as Record<string, unknown>)[k];
    if (child !== null && typeof child === 'object') return false;
  }
  return true;
}

const tooDeep = (what: string, code: ErrorCode, location: ErrorLocation): AloftError =>
  new AloftError(code, `${what} is nested deeper than ${MAX_NESTING} levels`, location);

/** Parses JSON text after checking its nesting; `code` (MESSAGE_INVALID by default) when too deep. */
export function parseBoundedJson(text: string, what: string, code: ErrorCode = ErrorCode.MESSAGE_INVALID, location: ErrorLocation = {}): unknown {
  if (jsonTextDepth(text) > MAX_NESTING) throw tooDeep(what, code, location);
  return JSON.parse(text);
}

/** Throws `code` when `value` nests deeper than the bound. */
export function assertNesting(value: unknown, what: string, code: ErrorCode, location: ErrorLocation = {}): void {
  if (valueDepth(value) > MAX_NESTING) throw tooDeep(what, code, location);
}

/**
 * A copy of `value` where anything nested beyond `max` is replaced by CLIPPED: what a reader gets
 * from a value that was stored before the bound existed, instead of a failed read.
 */
export function clipNesting(value: unknown, max = MAX_NESTING): unknown {
  if (value === null || typeof value !== 'object') return value;
  // toJSON (a Date, an AloftError) decides its own form, as JSON.stringify would.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return clipNesting((value as { toJSON(): unknown }).toJSON(), max);
  if (max <= 0) return CLIPPED;
  if (Array.isArray(value)) return value.map((v) => clipNesting(v, max - 1));
  // fromEntries defines own properties, so a key named __proto__ stays data.
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clipNesting(v, max - 1)]));
}
