// Tests for `x is name`: Pebble's core set plus Kestra's `json`. Only `defined` tolerates an
// undefined subject; `x is null` on a missing variable fails in strict mode, as in Pebble.

import { table, type TestDef } from './callables';
import { hardFailure } from './failure';
import { isEmpty, isList, isMap, typeName } from './values';

function integer(v: unknown, test: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (v === null || v === undefined) throw hardFailure(`cannot pass null to the '${test}' test`);
  throw hardFailure(`the '${test}' test needs a whole number, got a ${typeName(v)}`);
}

export const TESTS: ReadonlyMap<string, TestDef> = table<TestDef>({
  defined: { params: null, tolerant: true, apply: (v) => v !== undefined && v !== null },
  null: { params: null, apply: (v) => v === null || v === undefined },
  empty: { params: null, apply: (v) => isEmpty(v) },
  even: { params: null, apply: (v) => integer(v, 'even') % 2 === 0 },
  odd: { params: null, apply: (v) => Math.abs(integer(v, 'odd') % 2) === 1 },
  iterable: { params: null, apply: (v) => isList(v) },
  map: { params: null, apply: (v) => isMap(v) },
  json: {
    params: null,
    apply(v, _args, cx) {
      if (typeof v !== 'string') return false;
      cx.charge(v.length >> 6);
      try {
        JSON.parse(v);
        return true;
      } catch {
        return false;
      }
    },
  },
});
