// The value model templates see: null, booleans, numbers, strings, lists (arrays) and maps (plain
// objects). Lookups go through `member`, the one place that decides what a template may read: own
// data properties of plain objects and in-range list items, never functions, prototypes or
// constructors.

import { ExprFailure, hardFailure } from './failure';

/** Pays for work proportional to a value's size (the evaluation's step budget). */
export interface Meter {
  charge(n: number): void;
}

/** Without an evaluation to charge, walks over values stop after this many nodes. */
const STANDALONE_NODES = 1_000_000;

function standaloneMeter(): Meter {
  let left = STANDALONE_NODES;
  return {
    charge(n) {
      left -= n;
      if (left < 0) throw hardFailure(`the value has more than ${STANDALONE_NODES} parts`);
    },
  };
}

/** Returned by `member` and `lookup` when a key does not exist, so callers can name the full path. */
export const MISSING: unique symbol = Symbol('missing');
export type Missing = typeof MISSING;

/** Names a template may never read, whatever object they are on. */
const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype']);

export function isList(v: unknown): v is unknown[] {
  return Array.isArray(v);
}

export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isMap(v)) return 'map';
  if (v instanceof Date) return 'date';
  return typeof v === 'object' ? 'object' : typeof v;
}

export function checkKey(key: string): void {
  if (FORBIDDEN.has(key)) throw hardFailure(`access to '${key}' is not allowed`);
}

function checkValue(v: unknown): unknown {
  if (typeof v === 'function' || typeof v === 'symbol') throw hardFailure('functions are not accessible from templates');
  return v;
}

/** Sets an own property, even one named `__proto__` (a plain assignment would replace the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Reads `key` from `obj`: a list index or a map's own key. Anything else is MISSING. */
export function member(obj: unknown, key: unknown): unknown {
  const k = typeof key === 'string' ? key : String(key);
  checkKey(k);
  if (Array.isArray(obj)) {
    const i = listIndex(key);
    if (i === undefined || i < 0 || i >= obj.length) return MISSING;
    const v = obj[i];
    return v === undefined ? null : checkValue(v);
  }
  if (isMap(obj) && Object.hasOwn(obj, k)) {
    const v = obj[k];
    return v === undefined ? MISSING : checkValue(v);
  }
  return MISSING;
}

/** Pebble reads list indexes from integers or integer strings (`list['0']`). */
function listIndex(key: unknown): number | undefined {
  if (typeof key === 'number') return Number.isInteger(key) ? key : undefined;
  if (typeof key === 'string' && /^-?\d{1,15}$/.test(key)) return Number(key);
  return undefined;
}

/** A root variable from the caller's data: own properties only. */
export function rootValue(vars: Readonly<Record<string, unknown>>, name: string): unknown {
  if (!Object.hasOwn(vars, name)) return MISSING;
  const v = vars[name];
  return v === undefined ? MISSING : checkValue(v);
}

/** Formats a path the way a user would write it: `outputs.t['a a'][0]`. */
export function formatPath(root: string, keys: readonly (string | number)[], upTo = keys.length): string {
  let out = root;
  for (let i = 0; i < upTo; i++) out += formatKey(keys[i]);
  return out;
}

export function formatKey(k: unknown): string {
  if (typeof k === 'number') return `[${k}]`;
  const s = String(k);
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s) ? `.${s}` : `['${s.replace(/'/g, "\\'")}']`;
}

/** Why a lookup on `v` found nothing, for the error message. */
export function missingReason(v: unknown, key: unknown): string {
  if (v === null || v === undefined) return 'is null';
  if (Array.isArray(v)) {
    return typeof key === 'number' || /^-?\d+$/.test(String(key))
      ? `has ${v.length} item${v.length === 1 ? '' : 's'}`
      : 'is a list';
  }
  if (isMap(v)) return 'has no such key';
  return `is a ${typeName(v)}`;
}

// ---- conversions ----

export function numberToString(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * JSON text of a value; lists and maps print this way. Every node visited is charged, since a value
 * built from shared references (`{% set m = {'a': m, 'b': m} %}`) can be exponentially larger than
 * the work it took to build.
 */
export function toJson(v: unknown, meter: Meter = standaloneMeter()): string {
  let out: string | undefined;
  try {
    out = JSON.stringify(v, (_k, x) => {
      meter.charge(1);
      return typeof x === 'bigint' ? x.toString() : x;
    });
  } catch (e) {
    if (e instanceof ExprFailure) throw e;
    throw hardFailure(`cannot convert the value to JSON: ${(e as Error).message}`);
  }
  return out ?? 'null';
}

/** What `{{ value }}` prints: strings as-is, null as nothing, lists and maps as JSON. */
export function printValue(v: unknown, meter?: Meter): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numberToString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'undefined':
      return '';
    case 'object':
      if (v === null) return '';
      if (v instanceof Date) return v.toISOString();
      return toJson(v, meter);
    default:
      throw hardFailure('functions are not accessible from templates');
  }
}

/** Java's String.valueOf, used where Pebble concatenates with `+` or joins: null is "null". */
export function javaString(v: unknown, meter?: Meter): string {
  return v === null || v === undefined ? 'null' : printValue(v, meter);
}

/** Pebble's number coercion: numbers as-is, numeric strings parsed, anything else an error. */
export function toNumber(v: unknown, what = 'operand'): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return Number(s);
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(s)) return parseFloat(s);
  }
  throw hardFailure(`${what} ${describe(v)} is not a number`);
}

/** A short, quoted rendering of a value for error messages. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return `(${typeName(v)})`;
}

/**
 * Pebble's boolean coercion in `if`, `not`, `and`, `or`: booleans, numbers (non-zero) and strings
 * (non-empty, so 'false' is true). Null is an error in strict mode, and so is a list or a map.
 */
export function truthy(v: unknown, where: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return !Number.isNaN(v) && v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v === null || v === undefined) throw hardFailure(`null value used in ${where}`);
  throw hardFailure(`a ${typeName(v)} cannot be used as a condition in ${where}`);
}

/** Pebble's emptiness: null, blank strings, empty lists and maps. */
export function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

const MAX_COMPARE_DEPTH = 200;

/** Equality as Pebble sees it: numbers by value, lists and maps by content, the rest strictly. */
export function equals(a: unknown, b: unknown, meter: Meter = standaloneMeter()): boolean {
  return deepEquals(a, b, meter, 0);
}

function deepEquals(a: unknown, b: unknown, meter: Meter, depth: number): boolean {
  if (a === b) return true;
  if (depth > MAX_COMPARE_DEPTH) throw hardFailure('values are nested too deeply to compare');
  if (Array.isArray(a) && Array.isArray(b)) {
    meter.charge(a.length);
    return a.length === b.length && a.every((x, i) => deepEquals(x, b[i], meter, depth + 1));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    meter.charge(ka.length);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && deepEquals(a[k], b[k], meter, depth + 1));
  }
  return false;
}

/** `<`, `>`, `<=`, `>=`: numbers, or two strings (Kestra adds string comparison). Null compares false. */
export function compare(a: unknown, b: unknown, op: '<' | '>' | '<=' | '>='): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  let x: number | string;
  let y: number | string;
  if (typeof a === 'string' && typeof b === 'string') {
    x = a;
    y = b;
  } else if (typeof a === 'number' && typeof b === 'number') {
    x = a;
    y = b;
  } else {
    throw hardFailure(`cannot compare ${describe(a)} ${op} ${describe(b)}`);
  }
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}
