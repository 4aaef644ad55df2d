// Arithmetic and collection operators with Pebble's semantics, as far as JavaScript numbers allow:
// `+` concatenates when either side is a string, two integers divide as integers (7 / 2 is 3),
// numeric strings are numbers in arithmetic (7 * '7' is 49).

import type { CallContext } from './callables';
import { hardFailure } from './failure';
import { describe, equals, isList, isMap, javaString, printValue, toNumber, typeName } from './values';

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

export function arithmetic(op: ArithmeticOp, a: unknown, b: unknown, cx: CallContext): unknown {
  if (op === '+') {
    if (typeof a === 'string' || typeof b === 'string') return cx.str(javaString(a, cx) + javaString(b, cx));
    if (isList(a)) {
      const out = isList(b) ? [...a, ...b] : [...a, b];
      cx.charge(out.length);
      return out;
    }
  }
  if (op === '-' && isList(a)) {
    const drop = isList(b) ? b : [b];
    cx.charge(a.length * drop.length);
    return isList(b) ? a.filter((x) => !drop.some((y) => equals(x, y, cx))) : removeFirst(a, b, cx);
  }
  const x = toNumber(a, `left operand of '${op}'`);
  const y = toNumber(b, `right operand of '${op}'`);
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (Number.isInteger(x) && Number.isInteger(y)) {
        if (y === 0) throw hardFailure('division by zero');
        return Math.trunc(x / y);
      }
      return x / y;
    default:
      if (Number.isInteger(x) && Number.isInteger(y) && y === 0) throw hardFailure('division by zero');
      return x % y;
  }
}

function removeFirst(list: unknown[], v: unknown, cx: CallContext): unknown[] {
  const i = list.findIndex((x) => equals(x, v, cx));
  return i < 0 ? [...list] : [...list.slice(0, i), ...list.slice(i + 1)];
}

/** `~`: string concatenation where null is nothing. */
export function concat(a: unknown, b: unknown, cx: CallContext): string {
  return cx.str(printValue(a, cx) + printValue(b, cx));
}

/** `a..b` and range(a, b, step): inclusive, numbers or single characters. */
export function range(start: unknown, end: unknown, step: unknown, cx: CallContext): unknown[] {
  const inc = step === undefined || step === null ? 1 : step;
  if (typeof inc !== 'number' || !Number.isFinite(inc)) throw hardFailure(`the range step must be a number, got ${describe(step)}`);
  const by = Math.trunc(inc);
  if (by === 0) throw hardFailure('the range step must not be 0');
  if (typeof start === 'number' && typeof end === 'number') {
    const a = Math.trunc(start);
    const b = Math.trunc(end);
    const count = (by > 0 ? b >= a : b <= a) ? Math.floor((b - a) / by) + 1 : 0;
    // Charge before allocating, so `1..1000000000` fails on the budget instead of exhausting memory.
    cx.charge(count);
    const out: number[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = a + i * by;
    return out;
  }
  if (typeof start === 'string' && typeof end === 'string' && start.length === 1 && end.length === 1) {
    const a = start.charCodeAt(0);
    const b = end.charCodeAt(0);
    const out: string[] = [];
    for (let c = a; by > 0 ? c <= b : c >= b; c += by) out.push(String.fromCharCode(c));
    cx.charge(out.length);
    return out;
  }
  throw hardFailure(`range bounds must be numbers or single characters, got ${describe(start)} and ${describe(end)}`);
}

/** Kestra's `in`: compares string forms, so 1 in ['1'] holds; a map matches on keys and values. */
export function isIn(needle: unknown, haystack: unknown, cx: CallContext): boolean {
  if (needle === null || needle === undefined || haystack === null || haystack === undefined) return false;
  const s = javaString(needle, cx);
  if (isList(haystack)) {
    cx.charge(haystack.length);
    return haystack.some((x) => javaString(x, cx) === s);
  }
  if (isMap(haystack)) {
    const keys = Object.keys(haystack);
    cx.charge(keys.length);
    return keys.some((k) => k === s || javaString(haystack[k], cx) === s);
  }
  return false;
}

/** Pebble's `contains`: list membership (or containment of all items), map key, or substring. */
export function contains(container: unknown, item: unknown, cx: CallContext): boolean {
  if (container === null || container === undefined) return false;
  if (isList(container)) {
    const items = isList(item) ? item : [item];
    cx.charge(container.length * items.length);
    return items.every((i) => container.some((x) => equals(x, i, cx)));
  }
  if (isMap(container)) return Object.hasOwn(container, javaString(item, cx));
  if (typeof container === 'string') return container.includes(javaString(item, cx));
  throw hardFailure(`'contains' needs a list, a map or a string, got a ${typeName(container)}`);
}
