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

function scalar(field: FieldSchema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (field.type) {
    case 'RECORD':
    case 'STRUCT':
      return record(field.fields ?? [], v as { f?: Cell[] });
  }
  const s = String(v);
  switch (field.type) {
    case 'INTEGER':
    case 'INT64': {
      const n = Number(s);
      return Number.isSafeInteger(n) ? n : s;
    }
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC': {
      const n = Number(s);
      return Number.isFinite(n) ? n : s;
    }
    case 'BOOLEAN':
    case 'BOOL':
      return s === 'true';
    case 'TIMESTAMP':
      return timestamp(s);
    case 'DATETIME':
      return `${s}Z`;
    case 'GEOGRAPHY': {
      const m = POINT.exec(s);
      return m ? [Number(m[1]), Number(m[2])] : s;
    }
    case 'JSON':
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    default:
      return s;
  }
}

function value(field: FieldSchema, cell: Cell): unknown {
  const v = cell?.v;
  if (field.mode === 'REPEATED') return Array.isArray(v) ? v.map((c: Cell) => scalar(field, c?.v)) : [];
  return scalar(field, v);
}

function record(fields: readonly FieldSchema[], row: { f?: Cell[] }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const cells = row.f ?? [];
  for (let i = 0; i < fields.length; i++) out[fields[i].name] = value(fields[i], cells[i]);
  return out;
}

export function toRow(fields: readonly FieldSchema[], row: { f?: Cell[] }): Record<string, unknown> {
  return record(fields, row);
}
