// Amazon Ion text, as Kestra's `toIon` filter and `fromIon` function read and write it (Kestra's
// storage tasks write rows as Ion). ion-js is loaded on first use: it takes ~200 ms to load, and
// most renders never touch Ion.
import type { IonType, Reader } from 'ion-js';
import type { CallContext, FilterDef } from '../callables';
import { ExprFailure, hardFailure } from '../failure';
import { describe, toJson, typeName } from '../values';

let ionLib: typeof import('ion-js') | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ion = (): typeof import('ion-js') => (ionLib ??= require('ion-js'));

/** Ion nested deeper than this is refused (the reader below recurses). */
const MAX_DEPTH = 200;

/**
 * Parses Ion text into plain data: structs become maps (own keys only), lists and s-expressions
 * lists, timestamps ISO-8601 text, symbols text, blobs base64. The first value, or every top-level
 * value with `allRows` (an Ion file of rows holds one per line).
 */
export function parseIon(input: unknown, allRows: unknown, cx: CallContext, what: string): unknown {
  if (input === null || input === undefined) return null;
  if (typeof input !== 'string') throw hardFailure(`${what} needs an Ion string, got a ${typeName(input)}`);
  if (allRows !== undefined && allRows !== null && typeof allRows !== 'boolean') {
    throw hardFailure(`${what}: allRows must be true or false, got ${describe(allRows)}`);
  }
  cx.charge(input.length >> 6);
  const rows: unknown[] = [];
  try {
    const reader = ion().makeReader(input);
    for (let type = reader.next(); type !== null; type = reader.next()) {
      rows.push(readValue(reader, type, cx, 0));
      if (allRows !== true) break;
    }
  } catch (e) {
    if (e instanceof ExprFailure) throw e;
    throw hardFailure(`${what}: invalid Ion ${describe(input)}: ${(e as Error).message}`);
  }
  if (allRows === true) return rows;
  return rows.length === 0 ? null : rows[0];
}

// The reader, not ion-js's DOM: the DOM keeps struct fields in a plain object, where a field named
// __proto__ breaks it.
function readValue(reader: Reader, type: IonType, cx: CallContext, depth: number): unknown {
  cx.charge(1);
  if (reader.isNull()) return null;
  switch (type.name) {
    case 'struct': {
      if (depth >= MAX_DEPTH) throw hardFailure(`fromIon: the value is nested deeper than ${MAX_DEPTH} levels`);
      const out: Record<string, unknown> = {};
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) {
        Object.defineProperty(out, reader.fieldName() ?? '', { value: readValue(reader, t, cx, depth + 1), writable: true, enumerable: true, configurable: true });
      }
      reader.stepOut();
      return out;
    }
    case 'list':
    case 'sexp': {
      if (depth >= MAX_DEPTH) throw hardFailure(`fromIon: the value is nested deeper than ${MAX_DEPTH} levels`);
      const out: unknown[] = [];
      reader.stepIn();
      for (let t = reader.next(); t !== null; t = reader.next()) out.push(readValue(reader, t, cx, depth + 1));
      reader.stepOut();
      return out;
    }
    case 'bool':
      return reader.booleanValue();
    case 'int':
    case 'float':
      return reader.numberValue();
    case 'decimal':
      return reader.decimalValue()?.numberValue() ?? null;
    case 'timestamp':
      return reader.timestampValue()?.getDate().toISOString() ?? null;
    case 'blob':
    case 'clob':
      return cx.str(Buffer.from(reader.uInt8ArrayValue() ?? new Uint8Array()).toString('base64'));
    default:
      return cx.str(reader.stringValue() ?? '');
  }
}

export const ION_FILTERS: Readonly<Record<string, FilterDef>> = {
  /** Kestra's toIon: a value as Ion text (`{a:1,b:"x"}`); whole numbers are ints, others floats. */
  toIon: {
    params: null,
    apply(input, _args, cx) {
      if (input === null || input === undefined) return 'null';
      // Through JSON first: it charges every node and leaves plain data that ion-js can write.
      const plain: unknown = JSON.parse(toJson(input, cx));
      return cx.str(ion().dumpText(plain));
    },
  },
  fromIon: { params: ['allRows'], apply: (input, [allRows], cx) => parseIon(input, allRows, cx, 'fromIon') },
};
