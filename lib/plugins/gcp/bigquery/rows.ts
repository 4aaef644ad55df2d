// BigQuery's row format (`{f: [{v}]}` with the schema beside it) turned into plain JSON values, as
// Kestra's Query does: INTEGER and FLOAT as numbers (an INTEGER beyond 2^53 stays text, exact),
// NUMERIC as a number, BOOLEAN as a boolean, TIMESTAMP as an ISO instant in milliseconds, DATETIME as
// an ISO instant in UTC, DATE and TIME as text, a GEOGRAPHY point as [x, y], RECORD as an object,
// REPEATED as a list, JSON parsed.
export interface FieldSchema {
  name: string;
  type: string;
  mode?: string;
  fields?: FieldSchema[];
}

type Cell = { v?: unknown } | null | undefined;

const POINT = /^POINT\s*\((-?[0-9.eE+-]+) (-?[0-9.eE+-]+)\)$/;

function timestamp(v: string): string {
  // With formatOptions.useInt64Timestamp the value is microseconds; otherwise seconds as a float.
  // Microseconds fit a double exactly for the next 285 years; BigInt would cost more than the rest of the row.
  const ms = /^-?\d+$/.test(v) ? Math.floor(Number(v) / 1000) : Math.round(Number(v) * 1000);
  return new Date(ms).toISOString();
}

type Convert = (v: unknown) => unknown;

const integer: Convert = (v) => {
  const s = String(v);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : s;
};

const float: Convert = (v) => {
  const s = String(v);
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
};

const geography: Convert = (v) => {
  const s = String(v);
  const m = POINT.exec(s);
  return m ? [Number(m[1]), Number(m[2])] : s;
};

const json: Convert = (v) => {
  const s = String(v);
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

/** A non-null value of `field`'s type, converted. */
function scalarOf(field: FieldSchema): Convert {
  switch (field.type) {
    case 'RECORD':
    case 'STRUCT':
      return recordOf(field.fields ?? []) as Convert;
    case 'INTEGER':
    case 'INT64':
      return integer;
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return float;
    case 'BOOLEAN':
    case 'BOOL':
      return (v) => String(v) === 'true';
    case 'TIMESTAMP':
      return (v) => timestamp(String(v));
    case 'DATETIME':
      return (v) => `${String(v)}Z`;
    case 'GEOGRAPHY':
      return geography;
    case 'JSON':
      return json;
    default:
      return (v) => String(v);
  }
}

/** A cell of `field` (`{v}`, a list of `{v}` when REPEATED), converted. */
function cellOf(field: FieldSchema): (cell: Cell) => unknown {
  const scalar = scalarOf(field);
  const nullable = (v: unknown): unknown => (v === null || v === undefined ? null : scalar(v));
  if (field.mode === 'REPEATED') return (cell) => (Array.isArray(cell?.v) ? (cell.v as Cell[]).map((c) => nullable(c?.v)) : []);
  return (cell) => nullable(cell?.v);
}

function recordOf(fields: readonly FieldSchema[]): (row: { f?: Cell[] }) => Record<string, unknown> {
  const names = fields.map((f) => f.name);
  const cells = fields.map(cellOf);
  return (row) => {
    const out: Record<string, unknown> = {};
    const values = row.f ?? [];
    for (let i = 0; i < names.length; i++) out[names[i]] = cells[i](values[i]);
    return out;
  };
}

/**
 * The converter of rows of one schema: the conversion of each field is chosen once, not per cell, which
 * matters at millions of rows.
 */
export function rowConverter(fields: readonly FieldSchema[]): (row: { f?: Cell[] }) => Record<string, unknown> {
  return recordOf(fields);
}

export function toRow(fields: readonly FieldSchema[], row: { f?: Cell[] }): Record<string, unknown> {
  return recordOf(fields)(row);
}
