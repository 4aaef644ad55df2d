// Filters over lists and maps. They never mutate their input (Pebble's sort and reverse do; here
// the input may be the caller's data, so they copy).

import type { CallContext, FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { describe, isEmpty, isList, isMap, javaString, toJson, typeName } from '../values';

function whole(v: unknown, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw hardFailure(`${what} must be a whole number, got ${describe(v)}`);
}

function list(v: unknown, filter: string): unknown[] {
  if (isList(v)) return v;
  throw hardFailure(`the '${filter}' filter needs a list, got a ${typeName(v)}`);
}

/** Orders numbers or strings; anything else (or a mix) is an error, as Java's Comparable is. */
function order(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw hardFailure(`cannot sort ${describe(a)} and ${describe(b)} together`);
}

function sorted(input: unknown, cx: CallContext, filter: string, dir: 1 | -1): unknown {
  if (input === null || input === undefined) return null;
  const items = [...list(input, filter)];
  cx.charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1))));
  return items.sort((a, b) => dir * order(a, b));
}

export const COLLECTION_FILTERS: Readonly<Record<string, FilterDef>> = {
  default: {
    params: ['default'],
    tolerant: true,
    apply: (input, [fallback]) => (isEmpty(input) ? (fallback === undefined ? null : fallback) : input),
  },
  length: {
    params: null,
    apply(input) {
      if (typeof input === 'string' || isList(input)) return input.length;
      if (isMap(input)) return Object.keys(input).length;
      return 0;
    },
  },
  keys: {
    params: null,
    apply(input, _args, cx) {
      if (input === null || input === undefined) return null;
      if (isMap(input)) return Object.keys(input);
      if (isList(input)) {
        cx.charge(input.length);
        return input.map((_x, i) => i);
      }
      throw hardFailure(`the 'keys' filter needs a list or a map, got a ${typeName(input)}`);
    },
  },
  values: {
    params: null,
    apply(input) {
      if (input === null || input === undefined) return null;
      if (isMap(input)) return Object.values(input);
      throw hardFailure(`the 'values' filter needs a map, got a ${typeName(input)}`);
    },
  },
  join: {
    params: ['separator'],
    apply(input, [separator], cx) {
      if (input === null || input === undefined) return null;
      const items = list(input, 'join');
      const glue = separator === undefined || separator === null ? '' : javaString(separator, cx);
      const parts = items.map((x) => javaString(x, cx));
      cx.fits(parts.reduce((n, p) => n + p.length, 0) + glue.length * Math.max(0, parts.length - 1));
      return cx.str(parts.join(glue));
    },
  },
  first: {
    params: null,
    apply(input) {
      if (typeof input === 'string') return input.length ? input[0] : null;
      if (isList(input)) return input.length ? input[0] : null;
      if (input === null || input === undefined) return null;
      throw hardFailure(`the 'first' filter needs a list or a string, got a ${typeName(input)}`);
    },
  },
  last: {
    params: null,
    apply(input) {
      if (typeof input === 'string') return input.length ? input[input.length - 1] : null;
      if (isList(input)) return input.length ? input[input.length - 1] : null;
      if (input === null || input === undefined) return null;
      throw hardFailure(`the 'last' filter needs a list or a string, got a ${typeName(input)}`);
    },
  },
  reverse: {
    params: null,
    apply(input, _args, cx) {
      if (input === null || input === undefined) return null;
      if (typeof input === 'string') return cx.str([...input].reverse().join(''));
      cx.charge(list(input, 'reverse').length);
      return [...(input as unknown[])].reverse();
    },
  },
  sort: { params: null, apply: (input, _a, cx) => sorted(input, cx, 'sort', 1) },
  rsort: { params: null, apply: (input, _a, cx) => sorted(input, cx, 'rsort', -1) },
  slice: {
    params: ['fromIndex', 'toIndex'],
    apply(input, [fromIndex, toIndex], cx) {
      if (input === null || input === undefined) return null;
      if (typeof input !== 'string' && !isList(input)) {
        throw hardFailure(`the 'slice' filter needs a list or a string, got a ${typeName(input)}`);
      }
      const from = fromIndex === undefined || fromIndex === null ? 0 : whole(fromIndex, "slice's fromIndex");
      if (from < 0) throw hardFailure("slice's fromIndex must be 0 or more");
      let to = input.length;
      if (toIndex !== undefined && toIndex !== null) {
        to = whole(toIndex, "slice's toIndex");
        if (to > input.length) throw hardFailure(`slice's toIndex must not exceed the length ${input.length}`);
        if (from >= to) throw hardFailure("slice's toIndex must be greater than fromIndex");
      }
      cx.charge(to - from);
      return input.slice(from, to);
    },
  },
  merge: {
    params: ['items'],
    apply(input, [items], cx) {
      if (input === null || input === undefined) {
        if (items === null || items === undefined) throw hardFailure('merge got two null values');
        return items;
      }
      if (items === null || items === undefined) return input;
      if (isMap(input) && isMap(items)) {
        cx.charge(Object.keys(input).length + Object.keys(items).length);
        return { ...input, ...items };
      }
      if (isList(input) && isList(items)) {
        cx.charge(input.length + items.length);
        return [...input, ...items];
      }
      throw hardFailure(`merge needs two maps or two lists, got a ${typeName(input)} and a ${typeName(items)}`);
    },
  },
  chunk: {
    params: ['size'],
    apply(input, [size], cx) {
      if (input === null || input === undefined) return null;
      const items = list(input, 'chunk');
      const n = whole(size, "chunk's size");
      if (n <= 0) throw hardFailure("chunk's size must be greater than 0");
      cx.charge(items.length);
      const out: unknown[][] = [];
      for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
      return out;
    },
  },
  distinct: {
    params: null,
    apply(input, _args, cx) {
      if (input === null || input === undefined) return null;
      const items = list(input, 'distinct');
      cx.charge(items.length);
      const seen = new Set<string>();
      return items.filter((x) => {
        const key = typeof x === 'object' && x !== null ? `o${toJson(x, cx)}` : `${typeof x}:${String(x)}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    },
  },
  flatten: {
    params: null,
    apply(input, _args, cx) {
      if (input === null || input === undefined) return null;
      const out = list(input, 'flatten').flatMap((x) => (isList(x) ? x : [x]));
      cx.charge(out.length);
      return out;
    },
  },
};
