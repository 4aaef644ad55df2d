// Protobuf messages to and from row values, for the PROTOBUF serde: a schema file (.proto text) parsed
// with protobufjs, its imports resolved through registry references or protobufjs's well-known types,
// and the walkers that check a row value against a message type field by field. serdes.ts imports this
// module only when a PROTOBUF serde is used, so nothing else loads protobufjs.
import protobuf from 'protobufjs';
import { toDateTime, zoneOf } from '../../expr/dates';

/** A row value that does not fit its message type; `path` is the field's path (a.b[2].c). */
export class ProtobufValueError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

/** A parsed schema file: its messages by index path, resolved against its imports. */
export interface ProtobufSchema {
  /** The message type at Confluent's index path ([0] is the file's first message). */
  typeAt(indexes: readonly number[]): protobuf.Type;
}

/** Imports resolved by their import name: the text of each file, or undefined for a well-known type. */
export type Imports = ReadonlyMap<string, string>;

const PARSE = { keepCase: true, alternateCommentMode: true };

/**
 * Parses `text` and every import it needs; throws an Error naming what is wrong (a syntax error, an
 * import neither given nor well-known, a type that resolves nowhere) or a file without messages.
 */
export function compile(text: string, imports: Imports): ProtobufSchema {
  // The file alone gives the order of its own messages, which the index paths count.
  const own = protobuf.parse(text, new protobuf.Root(), PARSE);
  const scope = own.package ? own.root.lookup(own.package) : own.root;
  const messages = (ns: protobuf.NamespaceBase | null): protobuf.Type[] =>
    (ns?.nestedArray ?? []).filter((n): n is protobuf.Type => n instanceof protobuf.Type);
  if (messages(scope as protobuf.NamespaceBase).length === 0) throw new Error('the schema declares no message');

  const root = new protobuf.Root();
  protobuf.parse(text, root, PARSE);
  const added = new Set<string>();
  const add = (name: string): void => {
    if (added.has(name)) return;
    added.add(name);
    const given = imports.get(name);
    if (given !== undefined) {
      const parsed = protobuf.parse(given, root, PARSE);
      for (const next of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) add(next);
      return;
    }
    const common = protobuf.common.get(name);
    if (!common?.nested) throw new Error(`it imports "${name}", which is neither a schema reference nor a well-known google/protobuf type`);
    root.addJSON(common.nested);
  };
  for (const name of [...(own.imports ?? []), ...(own.weakImports ?? [])]) add(name);
  root.resolveAll();

  return {
    typeAt(indexes) {
      let list = messages(scope as protobuf.NamespaceBase);
      let at: protobuf.Type | undefined;
      for (const i of indexes) {
        at = list[i];
        if (!at) throw new Error(`the schema has no message at index path [${indexes.join(', ')}]`);
        list = messages(at);
      }
      if (!at) throw new Error('the message index path is empty');
      return root.lookupType(at.fullName);
    },
  };
}

// Well-known types that carry one value: a row holds the value itself.
const WRAPPERS = new Set(['DoubleValue', 'FloatValue', 'Int64Value', 'UInt64Value', 'Int32Value', 'UInt32Value', 'BoolValue', 'StringValue', 'BytesValue'].map((n) => `.google.protobuf.${n}`));
const TIMESTAMP = '.google.protobuf.Timestamp';

const show = (v: unknown): string => {
  const text = typeof v === 'bigint' ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
};
const fail = (path: string, value: unknown, what: string): never => {
  throw new ProtobufValueError(path, `cannot convert ${show(value)} to ${what}`);
};
const join = (path: string, name: string): string => (path ? `${path}.${name}` : name);

const RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};

function scalar(type: string, value: unknown, path: string): unknown {
  const range = RANGES[type];
  if (range) {
    let n: bigint | undefined;
    if (typeof value === 'bigint') n = value;
    else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
    else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) n = BigInt(value.trim());
    if (n === undefined || n < range[0] || n > range[1]) return fail(path, value, `${type} (a whole number from ${range[0]} to ${range[1]})`);
    // 64-bit values travel as text, which protobufjs reads into a Long without losing digits.
    return type.endsWith('64') ? n.toString() : Number(n);
  }
  switch (type) {
    case 'double': case 'float': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
      if (Number.isNaN(n) && value !== 'NaN') return fail(path, value, type);
      return n;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return fail(path, value, 'bool');
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
      return fail(path, value, 'string');
    case 'bytes':
      if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) return value;
      return fail(path, value, 'bytes (base64 text)');
  }
  return fail(path, value, type);
}

/** Epoch seconds and nanoseconds of ISO 8601 text (UTC when it names no zone) or epoch milliseconds. */
function timestamp(value: unknown, path: string): { seconds: string; nanos: number } {
  let ms: number;
  let nanos: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value)) ms = Math.floor(value);
  else if (typeof value === 'string') {
    try {
      ms = toDateTime(value, zoneOf('UTC')).toMillis();
    } catch {
      return fail(path, value, 'a Timestamp (ISO 8601 text or epoch milliseconds)');
    }
    const digits = /T[\d:]+\.(\d{1,9})/.exec(value)?.[1];
    if (digits) nanos = Number(digits.padEnd(9, '0'));
  } else return fail(path, value, 'a Timestamp (ISO 8601 text or epoch milliseconds)');
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: nanos ?? (ms - seconds * 1000) * 1_000_000 };
}

function fieldValue(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(resolved.values, value)) return value;
    if (typeof value === 'number' && Object.values(resolved.values).includes(value)) return value;
    return fail(path, value, `${resolved.name} (one of ${Object.keys(resolved.values).join(', ')})`);
  }
  if (resolved instanceof protobuf.Type) return message(resolved, value, path);
  return scalar(field.type, value, path);
}

/** A row value as the plain object protobufjs's fromObject reads for `type`; strict about unknown fields. */
export function message(type: protobuf.Type, value: unknown, path = ''): Record<string, unknown> {
  if (type.fullName === TIMESTAMP) return timestamp(value, path);
  if (WRAPPERS.has(type.fullName)) return { value: scalar(type.fields.value.type, value, join(path, 'value')) };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail(path, value, `message ${type.name}`);
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const field = type.fields[name];
    const at = join(path, name);
    if (!field) throw new ProtobufValueError(at, `message ${type.name} has no field ${name} (fields: ${Object.keys(type.fields).join(', ')})`);
    if (v === null || v === undefined) continue;
    if (field instanceof protobuf.MapField) {
      if (typeof v !== 'object' || Array.isArray(v)) fail(at, v, `map<${field.keyType}, ${field.type}>`);
      const keyType = field.keyType;
      const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => {
        scalar(keyType, k, `${at}[${JSON.stringify(k)}]`);
        return [k, fieldValue(field, x, `${at}[${JSON.stringify(k)}]`)];
      });
      out[name] = Object.fromEntries(entries);
    } else if (field.repeated) {
      if (!Array.isArray(v)) fail(at, v, `a list of ${field.type}`);
      out[name] = (v as unknown[]).map((x, i) => fieldValue(field, x, `${at}[${i}]`));
    } else out[name] = fieldValue(field, v, at);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((n) => out[n] !== undefined);
    if (set.length > 1) throw new ProtobufValueError(join(path, oneof.name), `only one of ${oneof.oneof.join(', ')} may be set, got ${set.join(' and ')}`);
  }
  return out;
}

/** A row value encoded as `type`; throws ProtobufValueError naming the field that does not fit. */
export function encode(type: protobuf.Type, value: unknown): Buffer {
  return Buffer.from(type.encode(type.fromObject(message(type, value))).finish());
}

const safe = (text: string): number | string => {
  const n = BigInt(text);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : text;
};

function isoOf(seconds: string, nanos: number): string {
  const ms = Number(BigInt(seconds) * 1000n) + Math.floor(nanos / 1_000_000);
  const iso = new Date(ms).toISOString();
  const digits = String(nanos).padStart(9, '0');
  const fraction = digits.endsWith('000000') ? digits.slice(0, 3) : digits.endsWith('000') ? digits.slice(0, 6) : digits;
  return `${iso.slice(0, 19)}.${fraction}Z`;
}

function rowOf(type: protobuf.Type, obj: Record<string, unknown>): unknown {
  if (type.fullName === TIMESTAMP) return isoOf(String(obj.seconds ?? '0'), Number(obj.nanos ?? 0));
  if (WRAPPERS.has(type.fullName)) return fieldRow(type.fields.value, obj.value);
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const v = obj[field.name];
    if (v === undefined || v === null) out[field.name] = field.map ? {} : field.repeated ? [] : null;
    else if (field.map) out[field.name] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fieldRow(field, x)]));
    else if (field.repeated) out[field.name] = (v as unknown[]).map((x) => fieldRow(field, x));
    else out[field.name] = fieldRow(field, v);
  }
  return out;
}

function fieldRow(field: protobuf.Field, v: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type) return rowOf(field.resolvedType, v as Record<string, unknown>);
  if (typeof v === 'string' && field.long) return safe(v);
  return v;
}

/**
 * A message decoded to a row value: every field present (null when unset and not a scalar), enums by
 * name, bytes as base64, 64-bit integers as numbers up to 2^53 and as text beyond, Timestamps as ISO
 * 8601 text, wrapper types as their value.
 */
export function decode(type: protobuf.Type, payload: Buffer): unknown {
  const obj = type.toObject(type.decode(payload), { enums: String, bytes: String, longs: String, defaults: true });
  return rowOf(type, obj);
}
