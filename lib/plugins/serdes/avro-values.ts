// Avro values to and from row values, walking avsc types. Row files carry what JSON can: longs beyond
// 2^53 and decimals as text, bytes as base64, dates and times as ISO 8601 text. Reading mirrors
// Kestra's AvroDeserializer; writing mirrors its AvroConverter (strings coerced to the schema's types).
import avro from 'avsc';
import type { Schema, Type } from 'avsc';
import { toDateTime, zoneOf } from '../../expr/dates';

/** Longs as BigInt both ways, so no value above 2^53 loses digits. */
const BigIntLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as string | number),
  toJSON: (n: bigint) => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString()),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const LOGICAL = ['decimal', 'uuid', 'date', 'time-millis', 'time-micros', 'timestamp-millis', 'timestamp-micros', 'local-timestamp-millis', 'local-timestamp-micros'];

/** Marks a logical type without converting: the walkers below know the conversions. */
class Tagged extends avro.types.LogicalType {
  readonly logical: string;
  readonly scale: number;
  private readonly precision?: number;
  constructor(schema: Schema, opts?: unknown) {
    super(schema as never, opts as never);
    const s = schema as { logicalType: string; scale?: number; precision?: number };
    this.logical = s.logicalType;
    this.scale = s.scale ?? 0;
    this.precision = s.precision;
  }
  /** Keeps the decimal's precision and scale in the schema written to files. */
  protected override _export(schema: Schema): void {
    const attrs = schema as Record<string, unknown>;
    if (this.precision !== undefined) attrs.precision = this.precision;
    if (this.logical === 'decimal') attrs.scale = this.scale;
  }
  override _fromValue(v: unknown): unknown {
    return v;
  }
  override _toValue(v: unknown): unknown {
    return v;
  }
}

const logicalTypes = Object.fromEntries(LOGICAL.map((name) => [name, Tagged])) as Record<string, new (schema: Schema) => InstanceType<typeof avro.types.LogicalType>>;

/** Options for parsing a schema; a fresh registry each time, since avsc records named types in it. */
export function typeOptions(): {
  wrapUnions: true; registry: Record<string, Type>; logicalTypes: typeof logicalTypes; typeHook: (schema: Schema) => Type | undefined;
} {
  // avsc asks the hook twice about a logical type's schema: first for the logical type itself (left to
  // avsc), then for its underlying type (a BigInt long when it is a long).
  const seen = new WeakSet<object>();
  const typeHook = (schema: Schema): Type | undefined => {
    if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
    const s = schema as { type?: unknown; logicalType?: unknown };
    if (s.type !== 'long') return undefined;
    if (s.logicalType !== undefined && LOGICAL.includes(String(s.logicalType)) && !seen.has(s)) {
      seen.add(s);
      return undefined;
    }
    return BigIntLong as unknown as Type;
  };
  // `"long"` resolves through the registry, `{"type": "long"}` through the hook.
  return { wrapUnions: true, registry: { long: BigIntLong as unknown as Type }, typeHook, logicalTypes };
}

/** A schema given as JSON text, a bare primitive name ("long"), or an object. */
export function parseSchema(schema: unknown): Type {
  let parsed = schema;
  if (typeof schema === 'string') {
    const text = schema.trim();
    parsed = /^[A-Za-z_][\w.]*$/.test(text) ? text : JSON.parse(text);
  }
  return avro.Type.forSchema(parsed as Schema, typeOptions());
}

interface AnyType {
  typeName: string;
  branchName?: string;
  fields?: { name: string; type: AnyType; aliases: string[] }[];
  itemsType?: AnyType;
  valuesType?: AnyType;
  types?: AnyType[];
  symbols?: string[];
  size?: number;
  underlyingType?: AnyType;
}

const pad = (n: number | bigint, w = 2): string => String(n).padStart(w, '0');
const DAY_MS = 86_400_000;

function isoInstant(ms: bigint, micros: bigint, local: boolean): string {
  const d = new Date(Number(ms));
  const fraction = micros >= 0n ? `${pad(Number(ms % 1000n + 1000n) % 1000, 3)}${pad(micros, 3)}` : pad(Number(ms % 1000n + 1000n) % 1000, 3);
  const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${fraction}`;
  return local ? text : `${text}Z`;
}

function timeOfDay(micros: bigint): string {
  const s = micros / 1_000_000n;
  const rest = micros % 1_000_000n;
  const f = rest % 1000n === 0n ? pad(rest / 1000n, 3) : pad(rest, 6);
  return `${pad(s / 3600n)}:${pad((s / 60n) % 60n)}:${pad(s % 60n)}.${f}`;
}

function decimalText(bytes: Buffer, scale: number): string {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0] & 0x80) n -= 1n << BigInt(bytes.length * 8);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/** A decoded Avro value (wrapped unions, BigInt longs) as a row value. */
export function fromAvro(type: Type, value: unknown): unknown {
  const t = type as unknown as AnyType;
  if (value === null || value === undefined) return null;
  if (type instanceof Tagged) {
    switch (type.logical) {
      case 'decimal': return decimalText(value as Buffer, type.scale);
      case 'date': return new Date(Number(value) * DAY_MS).toISOString().slice(0, 10);
      case 'time-millis': return timeOfDay(BigInt(value as number) * 1000n);
      case 'time-micros': return timeOfDay(value as bigint);
      case 'timestamp-millis': return isoInstant(value as bigint, -1n, false);
      case 'timestamp-micros': return isoInstant((value as bigint) / 1000n, ((value as bigint) % 1000n + 1000n) % 1000n, false);
      case 'local-timestamp-millis': return isoInstant(value as bigint, -1n, true);
      case 'local-timestamp-micros': return isoInstant((value as bigint) / 1000n, ((value as bigint) % 1000n + 1000n) % 1000n, true);
      default: return fromAvro(type.underlyingType, value);
    }
  }
  switch (t.typeName) {
    case 'record': case 'error': {
      const row: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const f of t.fields ?? []) row[f.name] = fromAvro(f.type as unknown as Type, record[f.name]);
      return row;
    }
    case 'array': return (value as unknown[]).map((v) => fromAvro(t.itemsType as unknown as Type, v));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromAvro(t.valuesType as unknown as Type, v);
      return out;
    }
    case 'union:wrapped': {
      const [branch, inner] = Object.entries(value as Record<string, unknown>)[0];
      const bt = t.types?.find((b) => b.branchName === branch);
      return bt ? fromAvro(bt as unknown as Type, inner) : inner;
    }
    case 'bytes': case 'fixed': return (value as Buffer).toString('base64');
    case 'long': case 'abstract:long': return typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
    default: return value;
  }
}

export interface ConvertOptions {
  trueValues: readonly string[];
  falseValues: readonly string[];
  nullValues: readonly string[];
  decimalSeparator: string;
  strictSchema: boolean;
  timeZoneId: string;
  dateFormat?: string;
  timeFormat?: string;
  datetimeFormat?: string;
}

export const DEFAULT_CONVERT: ConvertOptions = {
  trueValues: ['t', 'true', 'enabled', '1', 'on', 'yes'],
  falseValues: ['f', 'false', 'disabled', '0', 'off', 'no', ''],
  nullValues: ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '1.#IND', '1.#QNAN', 'NA', 'n/a', 'nan', 'null'],
  decimalSeparator: '.',
  strictSchema: false,
  timeZoneId: 'UTC',
};

/** A conversion failure, with the path of the field. */
export class ConvertError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

const show = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
};
const fail = (path: string, value: unknown, what: string): never => {
  throw new ConvertError(path, `cannot convert ${show(value)} to ${what}`);
};
const within = (list: readonly string[], v: string): boolean => list.some((x) => x.toLowerCase() === v.toLowerCase());
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A row value converted to what an avsc type of the schema encodes, as Kestra's AvroConverter does. */
export function toAvro(type: Type, value: unknown, o: ConvertOptions, path = ''): unknown {
  const t = type as unknown as AnyType;
  if (type instanceof Tagged) return toLogical(type, value, o, path);
  switch (t.typeName) {
    case 'null':
      if (value === null || value === undefined || (typeof value === 'string' && within(o.nullValues, value))) return null;
      return fail(path, value, 'null');
    case 'union:wrapped': {
      const branches = t.types ?? [];
      if ((value === null || value === undefined || (typeof value === 'string' && within(o.nullValues, value))) && branches.some((b) => b.typeName === 'null')) {
        return null;
      }
      for (const b of branches) {
        if (b.typeName === 'null') continue;
        try {
          return { [b.branchName as string]: toAvro(b as unknown as Type, value, o, path) };
        } catch {
          // Kestra tries each branch in order; the first that takes the value wins.
        }
      }
      return fail(path, value, `any of ${branches.map((b) => b.branchName).join(', ')}`);
    }
    case 'record': case 'error': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(path, value, 'a record');
      const row = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of t.fields ?? []) {
        let v = row[f.name];
        if (v === undefined) for (const a of f.aliases ?? []) if (row[a] !== undefined) v = row[a];
        out[f.name] = toAvro(f.type as unknown as Type, v ?? null, o, path ? `${path}.${f.name}` : f.name);
      }
      if (o.strictSchema) {
        const known = new Set((t.fields ?? []).flatMap((f) => [f.name, ...(f.aliases ?? [])]));
        const extra = Object.keys(row).filter((k) => !known.has(k));
        if (extra.length > 0) throw new ConvertError(path, `the row has fields the schema does not declare: ${extra.join(', ')}`);
      }
      return out;
    }
    case 'array':
      if (!Array.isArray(value)) return fail(path, value, 'an array');
      return value.map((v, i) => toAvro(t.itemsType as unknown as Type, v, o, `${path}[${i}]`));
    case 'map': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(path, value, 'a map');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = toAvro(t.valuesType as unknown as Type, v, o, `${path}.${k}`);
      return out;
    }
    case 'enum':
      if (typeof value === 'string' && t.symbols?.includes(value)) return value;
      return fail(path, value, `one of ${t.symbols?.join(', ')}`);
    case 'int': {
      const n = typeof value === 'string' && INTEGER.test(value.trim()) ? Number(value.trim()) : value;
      if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return n;
      return fail(path, value, 'int');
    }
    case 'long': case 'abstract:long':
      if (typeof value === 'bigint') return value;
      if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
      if (typeof value === 'string' && INTEGER.test(value.trim())) return BigInt(value.trim());
      return fail(path, value, 'long');
    case 'float': case 'double': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string') {
        const text = o.decimalSeparator === '.' ? value.trim() : value.trim().replace(o.decimalSeparator, '.');
        if (NUMBER.test(text)) return Number(text);
      }
      return fail(path, value, t.typeName);
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && within(o.trueValues, value)) return true;
      if (typeof value === 'string' && within(o.falseValues, value)) return false;
      if (value === 1 || value === 0) return value === 1;
      return fail(path, value, 'boolean');
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
      if (value !== null && typeof value === 'object') return JSON.stringify(value);
      return fail(path, value, 'string');
    case 'bytes': case 'fixed': {
      // Row files carry binary as base64 (what Query and AvroReader write).
      const buf = Buffer.isBuffer(value) ? value : typeof value === 'string' ? Buffer.from(value, 'base64') : fail(path, value, t.typeName);
      if (t.typeName === 'fixed' && buf.length !== t.size) return fail(path, value, `fixed(${t.size}) bytes`);
      return buf;
    }
    default:
      return fail(path, value, t.typeName);
  }
}

function epochMs(value: unknown, o: ConvertOptions, pattern: string | undefined, path: string, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return fail(path, value, what);
  try {
    return toDateTime(value, zoneOf(o.timeZoneId), pattern).toMillis();
  } catch {
    if (pattern) {
      try {
        return toDateTime(value, zoneOf(o.timeZoneId)).toMillis();
      } catch {
        // fall through
      }
    }
    return fail(path, value, what);
  }
}

/** Microseconds from ISO text, keeping digits a JS Date would drop. */
function microsOf(value: unknown, o: ConvertOptions, path: string, what: string): bigint {
  if (typeof value === 'string') {
    const m = /\.(\d{4,6})/.exec(value);
    const ms = epochMs(value, o, o.datetimeFormat, path, what);
    return BigInt(ms) * 1000n + (m ? BigInt(m[1].padEnd(6, '0').slice(3)) : 0n);
  }
  return BigInt(epochMs(value, o, undefined, path, what)) * 1000n;
}

function timeMicros(value: unknown, path: string, what: string): bigint {
  const m = typeof value === 'string' ? /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?/.exec(value.trim()) : null;
  if (!m) return fail(path, value, what);
  return (BigInt(m[1]) * 3600n + BigInt(m[2]) * 60n + BigInt(m[3] ?? 0)) * 1_000_000n + BigInt((m[4] ?? '').padEnd(6, '0').slice(0, 6));
}

function toLogical(type: Tagged, value: unknown, o: ConvertOptions, path: string): unknown {
  switch (type.logical) {
    case 'decimal': {
      const text = typeof value === 'number' || typeof value === 'bigint' ? String(value) : typeof value === 'string' ? value.trim().replace(o.decimalSeparator, '.') : '';
      const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(text);
      if (!text || !m) return fail(path, value, 'decimal');
      const fraction = (m[3] ?? '').padEnd(type.scale, '0');
      let n = BigInt(`${m[2] || '0'}${fraction.slice(0, type.scale)}`);
      // Digits beyond the scale round half-even, as Kestra's setScale(scale, HALF_EVEN).
      const extra = fraction.slice(type.scale);
      if (extra && (extra[0] > '5' || (extra[0] === '5' && (/[1-9]/.test(extra.slice(1)) || n % 2n === 1n)))) n += 1n;
      if (m[1] === '-') n = -n;
      return decimalBytes(n, (type as unknown as AnyType).underlyingType?.typeName === 'fixed' ? (type as unknown as AnyType).underlyingType?.size : undefined);
    }
    case 'uuid':
      return typeof value === 'string' ? value : fail(path, value, 'uuid');
    case 'date': {
      if (typeof value === 'number') return value;
      const text = typeof value === 'string' && !o.dateFormat ? value.slice(0, 10) : value;
      const ms = epochMs(text, { ...o, timeZoneId: 'UTC' }, o.dateFormat, path, 'date');
      return Math.floor(ms / DAY_MS);
    }
    case 'time-millis': return typeof value === 'number' ? value : Number(timeMicros(value, path, 'time') / 1000n);
    case 'time-micros': return typeof value === 'number' ? BigInt(value) : timeMicros(value, path, 'time');
    case 'timestamp-millis': return BigInt(epochMs(value, o, o.datetimeFormat, path, 'timestamp'));
    case 'timestamp-micros': return microsOf(value, o, path, 'timestamp');
    case 'local-timestamp-millis': return BigInt(epochMs(value, { ...o, timeZoneId: 'UTC' }, o.datetimeFormat, path, 'local timestamp'));
    case 'local-timestamp-micros': return microsOf(value, { ...o, timeZoneId: 'UTC' }, path, 'local timestamp');
    default: return toAvro(type.underlyingType, value, o, path);
  }
}

function decimalBytes(n: bigint, size: number | undefined): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0] & 0x80) === 0) || (v === -1n && (bytes[0] & 0x80) !== 0)));
  const fill = n < 0n ? 0xff : 0;
  while (size !== undefined && bytes.length < size) bytes.unshift(fill);
  return Buffer.from(bytes);
}
