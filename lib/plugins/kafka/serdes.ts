// Kafka serializers and deserializers by Kestra SerdeType, with the byte layouts of the Java client's
// (big-endian numbers, UTF-8 text, UUIDs as their text) and Confluent's Avro and Protobuf wire formats.
// Row files carry bytes as base64 text and longs beyond 2^53 as text, as the serdes plugin's files do.
// PROTOBUF's module (and protobufjs) is imported on first use only.
import type { Type } from 'avsc';
import { ConvertError, DEFAULT_CONVERT, fromAvro, parseSchema, toAvro } from '../serdes/avro-values';
import type { SerdeType } from './properties';
import type { ProtobufSchema } from './protobuf';
import { protobufWireFormat, readProtobufWireFormat, readWireFormat, type SchemaRegistry, wireFormat } from './registry';

/** A value that its serializer or deserializer cannot handle; `field` is the Avro or Protobuf field's path. */
export class SerdeError extends Error {
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}

export type Serializer = (value: unknown, topic: string) => Buffer | null | Promise<Buffer | null>;
export type Deserializer = (bytes: Buffer | null | undefined) => unknown;

const show = (v: unknown): string => {
  const text = typeof v === 'bigint' ? String(v) : JSON.stringify(v) ?? String(v);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
};

function integer(value: unknown, type: SerdeType, min: bigint, max: bigint): bigint {
  let n: bigint | undefined;
  if (typeof value === 'bigint') n = value;
  else if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
  else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) n = BigInt(value.trim());
  if (n === undefined || n < min || n > max) throw new SerdeError(`${type} needs a whole number from ${min} to ${max}, got ${show(value)}`);
  return n;
}

function decimal(value: unknown, type: SerdeType): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (Number.isNaN(n) && value !== 'NaN') throw new SerdeError(`${type} needs a number, got ${show(value)}`);
  return n;
}

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function fixed(bytes: number, write: (buf: Buffer) => void): Buffer {
  const buf = Buffer.alloc(bytes);
  write(buf);
  return buf;
}

/** JSON text; a replacer slows every record down, so it runs only for the rare value holding a bigint. */
function jsonText(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
}

export interface SerializerOptions {
  isKey: boolean;
  avroSchema?: string;
  protobufSchema?: string;
  registry?: SchemaRegistry;
}

/**
 * A serializer; AVRO and PROTOBUF need their schema and a registry (the schema is registered under
 * `topic`-key|value). PROTOBUF's comes as a promise, since its module loads on first use.
 */
export function serializer(type: Exclude<SerdeType, 'PROTOBUF'>, opts: SerializerOptions): Serializer;
export function serializer(type: SerdeType, opts: SerializerOptions): Serializer | Promise<Serializer>;
export function serializer(type: SerdeType, opts: SerializerOptions): Serializer | Promise<Serializer> {
  const plain = (fn: (v: unknown) => Buffer | null): Serializer => (v) => (v === null || v === undefined ? null : fn(v));
  switch (type) {
    case 'STRING': return plain((v) => {
      if (typeof v === 'string') return Buffer.from(v, 'utf8');
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return Buffer.from(String(v), 'utf8');
      throw new SerdeError(`STRING needs text, got ${show(v)}`);
    });
    case 'SHORT': return plain((v) => fixed(2, (b) => b.writeInt16BE(Number(integer(v, type, -32768n, 32767n)))));
    case 'INTEGER': return plain((v) => fixed(4, (b) => b.writeInt32BE(Number(integer(v, type, -2147483648n, 2147483647n)))));
    case 'LONG': return plain((v) => fixed(8, (b) => b.writeBigInt64BE(integer(v, type, -(2n ** 63n), 2n ** 63n - 1n))));
    case 'FLOAT': return plain((v) => fixed(4, (b) => b.writeFloatBE(decimal(v, type))));
    case 'DOUBLE': return plain((v) => fixed(8, (b) => b.writeDoubleBE(decimal(v, type))));
    case 'BYTE_ARRAY': case 'BYTE_BUFFER': case 'BYTES': return plain((v) => {
      if (typeof v !== 'string' || !BASE64.test(v)) throw new SerdeError(`${type} needs bytes as base64 text, got ${show(v)}`);
      return Buffer.from(v, 'base64');
    });
    case 'UUID': return plain((v) => {
      if (typeof v !== 'string' || !UUID_TEXT.test(v)) throw new SerdeError(`UUID needs a UUID such as 123e4567-e89b-12d3-a456-426614174000, got ${show(v)}`);
      return Buffer.from(v.toLowerCase(), 'utf8');
    });
    case 'VOID': return plain((v) => {
      throw new SerdeError(`VOID accepts only null, got ${show(v)}`);
    });
    case 'JSON': return plain((v) => Buffer.from(jsonText(v), 'utf8'));
    case 'AVRO': return avroSerializer(opts);
    case 'PROTOBUF': return protobufSerializer(opts);
  }
}

/** Registers the schema once per topic, then frames each payload with the id it got. */
function registering(register: (topic: string) => Promise<number>, frame: (id: number, payload: Buffer) => Buffer, encode: (value: unknown) => Buffer): Serializer {
  const ids = new Map<string, number>();
  return (value, topic) => {
    if (value === null || value === undefined) return null;
    const payload = encode(value);
    const id = ids.get(topic);
    if (id !== undefined) return frame(id, payload);
    return register(topic).then((got) => {
      ids.set(topic, got);
      return frame(got, payload);
    });
  };
}

// Kestra's MapToGenericRecordSerializer sends a row's values as they are: only a real null is null,
// so an empty string (or "NA") stays text, unlike the serdes plugin's CSV-minded null values.
const KAFKA_AVRO = { ...DEFAULT_CONVERT, strictSchema: true, nullValues: [] };

function avroSerializer(opts: SerializerOptions): Serializer {
  const { avroSchema, registry } = opts;
  if (!avroSchema) throw new SerdeError(`AVRO needs ${opts.isKey ? 'keyAvroSchema' : 'valueAvroSchema'}`);
  if (!registry) throw new SerdeError('AVRO needs serdeProperties.schema.registry.url');
  let avroType: Type;
  try {
    avroType = parseSchema(avroSchema);
  } catch (err) {
    throw new SerdeError(`${opts.isKey ? 'keyAvroSchema' : 'valueAvroSchema'} is not a valid Avro schema: ${(err as Error).message}`);
  }
  // The schema as written (avsc's export drops logicalType attributes), compacted.
  const trimmed = avroSchema.trim();
  const text = trimmed.startsWith('{') || trimmed.startsWith('[') ? JSON.stringify(JSON.parse(trimmed)) : JSON.stringify(trimmed);
  const suffix = opts.isKey ? 'key' : 'value';
  const encode = (value: unknown): Buffer => {
    try {
      return avroType.toBuffer(toAvro(avroType, value, KAFKA_AVRO));
    } catch (err) {
      if (err instanceof ConvertError) throw new SerdeError(err.message, err.path || undefined);
      throw new SerdeError((err as Error).message);
    }
  };
  return registering((topic) => registry.register(`${topic}-${suffix}`, text), wireFormat, encode);
}

/**
 * The record's type is the first message of the schema file (index path [0]), as Confluent writes it
 * with the single byte 0. Imports other than google/protobuf's well-known types cannot be resolved.
 */
async function protobufSerializer(opts: SerializerOptions): Promise<Serializer> {
  const property = opts.isKey ? 'keyProtobufSchema' : 'valueProtobufSchema';
  const { protobufSchema, registry } = opts;
  if (!protobufSchema) throw new SerdeError(`PROTOBUF needs ${property}`);
  if (!registry) throw new SerdeError('PROTOBUF needs serdeProperties.schema.registry.url');
  const pb = await import('./protobuf');
  let type: ReturnType<ProtobufSchema['typeAt']>;
  try {
    type = pb.compile(protobufSchema, new Map()).typeAt([0]);
  } catch (err) {
    throw new SerdeError(`${property} is not a usable Protobuf schema: ${(err as Error).message}`);
  }
  const text = protobufSchema.trim();
  const suffix = opts.isKey ? 'key' : 'value';
  const encode = (value: unknown): Buffer => {
    try {
      return pb.encode(type, value);
    } catch (err) {
      if (err instanceof pb.ProtobufValueError) throw new SerdeError(err.message, err.path || undefined);
      throw new SerdeError((err as Error).message);
    }
  };
  return registering((topic) => registry.register(`${topic}-${suffix}`, text, 'PROTOBUF'), (id, payload) => protobufWireFormat(id, [0], payload), encode);
}

/** JSON strings and numbers, in text already known to be valid JSON (so nothing else matches outside strings). */
const JSON_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
/** Text where a number may denote a value its double does not: 16 or more digits in a row, or an exponent. */
const MAYBE_INEXACT = /[\d.]{16}|\d[eE]/;

/** A decimal number's digits and exponent without insignificant zeros, to compare two spellings of it. */
function canonicalNumber(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text; // Infinity, NaN
  let digits = m[2] + (m[3] ?? '');
  let exp = Number(m[4] ?? 0) + m[2].length;
  const lead = /^0*/.exec(digits)![0].length;
  digits = digits.slice(lead).replace(/0+$/, '');
  exp -= lead;
  return digits === '' ? '0' : `${m[1]}0.${digits}e${exp}`;
}

/** Whether a JSON number's double (as JavaScript writes it back) denotes the decimal the text spells. */
export const exactNumber = (text: string): boolean => canonicalNumber(text) === canonicalNumber(String(Number(text)));

/**
 * JSON text parsed, where a number its double cannot hold exactly (a long beyond 2^53, more digits than
 * a double keeps, an exponent out of range) is kept as its text, a string, as the LONG deserializer
 * keeps longs: execution variables are JSON values, with no bigint. `parse` validates the text first.
 */
export function parseExact(text: string, parse: (text: string) => unknown = JSON.parse): unknown {
  const value = parse(text);
  if (!MAYBE_INEXACT.test(text)) return value;
  let kept = false;
  const quoted = text.replace(JSON_TOKEN, (token) => {
    if (token.charCodeAt(0) === 0x22 || exactNumber(token)) return token;
    kept = true;
    return `"${token}"`;
  });
  return kept ? JSON.parse(quoted) : value;
}

const need = (buf: Buffer, bytes: number, type: SerdeType): Buffer => {
  if (buf.length !== bytes) throw new SerdeError(`${type} needs ${bytes} bytes, the record has ${buf.length}`);
  return buf;
};
const safe = (n: bigint): number | string => (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString());

export interface RecordDeserializer {
  decode: Deserializer;
  /** Fetches what decode needs (a registry schema) for these bytes. */
  prepare?: (bytes: Buffer | null | undefined) => Promise<void>;
  /** The decoded value as JSON text, where the deserializer has it without encoding the value again. */
  text?: (bytes: Buffer | null | undefined) => string;
}

/** A deserializer; AVRO reads each record's writer schema from the registry by its id. */
export function deserializer(type: SerdeType, registry?: SchemaRegistry): RecordDeserializer {
  const plain = (fn: (b: Buffer) => unknown): RecordDeserializer => ({ decode: (b) => (b === null || b === undefined ? null : fn(b)) });
  switch (type) {
    case 'STRING': return plain((b) => b.toString('utf8'));
    case 'SHORT': return plain((b) => need(b, 2, type).readInt16BE(0));
    case 'INTEGER': return plain((b) => need(b, 4, type).readInt32BE(0));
    case 'LONG': return plain((b) => safe(need(b, 8, type).readBigInt64BE(0)));
    case 'FLOAT': return plain((b) => need(b, 4, type).readFloatBE(0));
    case 'DOUBLE': return plain((b) => need(b, 8, type).readDoubleBE(0));
    case 'BYTE_ARRAY': case 'BYTE_BUFFER': case 'BYTES': return plain((b) => b.toString('base64'));
    case 'UUID': return plain((b) => {
      const text = b.toString('utf8');
      if (!UUID_TEXT.test(text)) throw new SerdeError(`UUID: the record holds ${show(text)}, not a UUID`);
      return text;
    });
    case 'VOID': return plain((b) => {
      if (b.length > 0) throw new SerdeError(`VOID: the record holds ${b.length} bytes, not null`);
      return null;
    });
    case 'JSON': {
      const valid = (text: string): unknown => {
        try {
          return JSON.parse(text);
        } catch (err) {
          throw new SerdeError(`JSON: ${(err as Error).message}`);
        }
      };
      return {
        decode: (b) => (b === null || b === undefined ? null : parseExact(b.toString('utf8'), valid)),
        // The record's own text once it parses, rather than the parsed value written again (which would
        // lose longs beyond 2^53 and number spellings). A raw line break in valid JSON is whitespace
        // between tokens (strings escape theirs): it becomes a space, so the row stays one line.
        text: (b) => {
          if (b === null || b === undefined) return 'null';
          const text = b.toString('utf8');
          valid(text);
          return text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]/g, ' ') : text;
        },
      };
    }
    case 'AVRO': {
      if (!registry) throw new SerdeError('AVRO needs serdeProperties.schema.registry.url');
      const types = new Map<number, Type>();
      const wire = (b: Buffer): { id: number; payload: Buffer } => {
        try {
          return readWireFormat(b);
        } catch (err) {
          throw new SerdeError(`AVRO: ${(err as Error).message}`);
        }
      };
      return {
        // Schemas are fetched before a batch is decoded, so decoding stays synchronous.
        prepare: async (b) => {
          if (!b) return;
          const { id } = wire(b);
          if (types.has(id)) return;
          const got = await registry.schema(id);
          if (got.schemaType !== 'AVRO') throw new SerdeError(`AVRO: the record's schema ${id} is ${got.schemaType}, not AVRO`);
          types.set(id, parseSchema(got.schema));
        },
        decode: (b) => {
          if (b === null || b === undefined) return null;
          const { id, payload } = wire(b);
          const t = types.get(id);
          if (!t) throw new SerdeError(`AVRO: schema ${id} was not read`);
          try {
            return fromAvro(t, t.fromBuffer(payload));
          } catch (err) {
            throw new SerdeError(`AVRO: ${(err as Error).message}`);
          }
        },
      };
    }
    case 'PROTOBUF': return protobufDeserializer(registry);
  }
}

/** The schema a record names, with its references (imports) read from the registry, depth first. */
async function protobufSchemaOf(pb: typeof import('./protobuf'), registry: SchemaRegistry, id: number): Promise<ProtobufSchema> {
  const got = await registry.schema(id);
  if (got.schemaType !== 'PROTOBUF') throw new SerdeError(`PROTOBUF: the record's schema ${id} is ${got.schemaType}, not PROTOBUF`);
  const imports = new Map<string, string>();
  const pending = [...got.references];
  while (pending.length > 0) {
    const ref = pending.shift()!;
    if (imports.has(ref.name)) continue;
    const dependency = await registry.subjectVersion(ref.subject, ref.version);
    imports.set(ref.name, dependency.schema);
    pending.push(...dependency.references);
  }
  try {
    return pb.compile(got.schema, imports);
  } catch (err) {
    throw new SerdeError(`PROTOBUF: the record's schema ${id} cannot be used: ${(err as Error).message}`);
  }
}

function protobufDeserializer(registry: SchemaRegistry | undefined): { decode: Deserializer; prepare: (bytes: Buffer | null | undefined) => Promise<void> } {
  if (!registry) throw new SerdeError('PROTOBUF needs serdeProperties.schema.registry.url');
  let pb: typeof import('./protobuf') | undefined;
  const schemas = new Map<number, ProtobufSchema>();
  const wire = (b: Buffer): ReturnType<typeof readProtobufWireFormat> => {
    try {
      return readProtobufWireFormat(b);
    } catch (err) {
      throw new SerdeError(`PROTOBUF: ${(err as Error).message}`);
    }
  };
  return {
    prepare: async (b) => {
      if (!b) return;
      pb ??= await import('./protobuf');
      const { id } = wire(b);
      if (!schemas.has(id)) schemas.set(id, await protobufSchemaOf(pb, registry, id));
    },
    decode: (b) => {
      if (b === null || b === undefined) return null;
      const { id, indexes, payload } = wire(b);
      const schema = schemas.get(id);
      if (!schema || !pb) throw new SerdeError(`PROTOBUF: schema ${id} was not read`);
      try {
        return pb.decode(schema.typeAt(indexes), payload);
      } catch (err) {
        throw new SerdeError(`PROTOBUF: ${(err as Error).message}`);
      }
    },
  };
}

/** Fetches the schemas a record's key and value need before they are decoded; throws SerdeError. */
export async function prepareRecord(
  keySerde: RecordDeserializer, valueSerde: RecordDeserializer, m: { key: Buffer | null; value: Buffer | null },
): Promise<void> {
  await keySerde.prepare?.(m.key);
  await valueSerde.prepare?.(m.value);
}

/** A record's key and value, decoded (after any schema they need is fetched); throws SerdeError. */
export async function decodeRecord(
  keySerde: RecordDeserializer, valueSerde: RecordDeserializer, m: { key: Buffer | null; value: Buffer | null },
): Promise<{ key: unknown; value: unknown }> {
  await prepareRecord(keySerde, valueSerde, m);
  return { key: keySerde.decode(m.key), value: valueSerde.decode(m.value) };
}
