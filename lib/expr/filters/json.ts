// JSON conversions. `json` and `jsonEncode` are Kestra's older names for `toJson`.

import type { CallContext, FilterDef } from '../callables';
import { hardFailure } from '../failure';
import { describe, numberToString, toJson, typeName } from '../values';

/** Parses JSON text into plain data (own properties only, so nothing reaches a prototype). */
export function parseJson(input: unknown, cx: CallContext, what: string): unknown {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') throw hardFailure(`${what} needs a JSON string, got a ${typeName(input)}`);
  cx.charge(input.length >> 6);
  try {
    return JSON.parse(input);
  } catch (e) {
    throw hardFailure(`${what}: invalid JSON ${describe(input)}: ${(e as Error).message}`);
  }
}

const toJsonFilter: FilterDef = {
  params: null,
  apply: (input, _args, cx) => cx.str(input === undefined ? 'null' : toJson(input, cx)),
};

const fromJson: FilterDef = { params: null, apply: (input, _args, cx) => parseJson(input, cx, 'fromJson') };

export const JSON_FILTERS: Readonly<Record<string, FilterDef>> = {
  toJson: toJsonFilter,
  json: toJsonFilter,
  jsonEncode: toJsonFilter,
  fromJson,
  jsonDecode: fromJson,
  /** Kestra's `string`: a number, or a numeric string, as text. */
  string: {
    params: null,
    apply(input) {
      if (input === null || input === undefined) return null;
      if (typeof input === 'number') return numberToString(input);
      if (typeof input === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(input.trim())) return input.trim();
      throw hardFailure(`the 'string' filter needs a number or a numeric string, got ${describe(input)}`);
    },
  },
};
