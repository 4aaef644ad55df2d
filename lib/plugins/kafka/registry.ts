// A client of the Confluent Schema Registry REST API: what Confluent's Avro and Protobuf serializers
// and deserializers call (register a subject's schema, read a schema by id, read a referenced subject
// version), with every answer cached for the task run. Also the wire formats both put around a payload.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';

/** The schema types the registry knows; a schema registered without `schemaType` is AVRO. */
export const RegistrySchemaType = z.enum(['AVRO', 'PROTOBUF', 'JSON']);
export type RegistrySchemaType = z.infer<typeof RegistrySchemaType>;

/** An import of a registered schema, resolved through another subject's version. */
export const SchemaReference = z.object({ name: z.string(), subject: z.string(), version: z.number().int() });
export type SchemaReference = z.infer<typeof SchemaReference>;

/** A registered schema as the registry answers it (by id, or as a subject's version). */
export const RegisteredSchema = z.object({
  schema: z.string(),
  schemaType: RegistrySchemaType.default('AVRO'),
  references: z.array(SchemaReference).default([]),
});
export type RegisteredSchema = z.infer<typeof RegisteredSchema>;

const RegisteredId = z.object({ id: z.number().int().nonnegative() });

export class SchemaRegistry {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemas = new Map<number, Promise<RegisteredSchema>>();
  private readonly versions = new Map<string, Promise<RegisteredSchema>>();
  private readonly auth?: string;

  constructor(readonly url: string, serdeProperties: Readonly<Record<string, string>> = {}) {
    const userInfo = serdeProperties['basic.auth.user.info'] ?? serdeProperties['schema.registry.basic.auth.user.info'];
    if (userInfo) this.auth = `Basic ${Buffer.from(userInfo).toString('base64')}`;
  }

  /** The id of `schema` under `subject`, registering it (auto.register.schemas, Kestra's default). */
  register(subject: string, schema: string, schemaType: RegistrySchemaType = 'AVRO'): Promise<number> {
    const key = `${subject}\n${schemaType}\n${schema}`;
    let id = this.ids.get(key);
    if (!id) {
      // AVRO is sent without schemaType, as Confluent's Avro serializer does (registries before 5.5 know no other).
      id = this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, RegisteredId, schemaType === 'AVRO' ? { schema } : { schemaType, schema })
        .then((body) => body.id);
      this.ids.set(key, id);
      id.catch(() => this.ids.delete(key));
    }
    return id;
  }

  /** The schema a record's id names. */
  schema(id: number): Promise<RegisteredSchema> {
    let schema = this.schemas.get(id);
    if (!schema) {
      schema = this.request('GET', `/schemas/ids/${id}`, RegisteredSchema);
      this.schemas.set(id, schema);
      schema.catch(() => this.schemas.delete(id));
    }
    return schema;
  }

  /** One version of a subject: how a reference (a Protobuf import) is resolved. */
  subjectVersion(subject: string, version: number): Promise<RegisteredSchema> {
    const key = `${subject}\n${version}`;
    let schema = this.versions.get(key);
    if (!schema) {
      schema = this.request('GET', `/subjects/${encodeURIComponent(subject)}/versions/${version}`, RegisteredSchema);
      this.versions.set(key, schema);
      schema.catch(() => this.versions.delete(key));
    }
    return schema;
  }

  private async request<T>(method: string, path: string, answer: z.ZodType<T>, body?: unknown): Promise<T> {
    const where = `schema registry ${this.url}: ${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(new URL(path.slice(1), this.url.endsWith('/') ? this.url : `${this.url}/`), {
        method,
        headers: {
          accept: 'application/vnd.schemaregistry.v1+json',
          ...(body ? { 'content-type': 'application/vnd.schemaregistry.v1+json' } : {}),
          ...(this.auth ? { authorization: this.auth } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new AloftError(ErrorCode.TASK_FAILED, `${where} failed: ${cause ?? (err as Error).message}`, { property: 'serdeProperties' });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message = (json as { message?: unknown } | undefined)?.message ?? text.slice(0, 200);
      throw new AloftError(ErrorCode.TASK_FAILED, `${where} answered ${res.status}: ${String(message)}`, { property: 'serdeProperties' });
    }
    if (json === undefined) throw new AloftError(ErrorCode.TASK_FAILED, `${where} answered ${res.status} with a body that is not JSON`, { property: 'serdeProperties' });
    const parsed = answer.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AloftError(ErrorCode.TASK_FAILED, `${where} answered ${res.status} with an unexpected body: ${issue.path.join('.') || 'the body'}: ${issue.message}`, { property: 'serdeProperties' });
    }
    return parsed.data;
  }
}

/** The Confluent wire format: magic byte 0, the schema id (4 bytes, big-endian), then the payload. */
export function wireFormat(id: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(0, 0);
  head.writeUInt32BE(id, 1);
  return Buffer.concat([head, payload]);
}

export function readWireFormat(buf: Buffer): { id: number; payload: Buffer } {
  if (buf.length < 5 || buf[0] !== 0) throw new Error('not in the Confluent wire format (no magic byte 0 and schema id)');
  return { id: buf.readUInt32BE(1), payload: buf.subarray(5) };
}

/** Zig-zag varints, as Confluent's Protobuf wire format writes its message indexes. */
function writeVarint(out: number[], n: number): void {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  while (z > 0x7f) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
}

function readVarint(buf: Buffer, at: number): { value: number; next: number } {
  let z = 0;
  for (let shift = 0, i = at; i < buf.length && shift < 35; shift += 7, i++) {
    z |= (buf[i] & 0x7f) << shift;
    if ((buf[i] & 0x80) === 0) return { value: (z >>> 1) ^ -(z & 1), next: i + 1 };
  }
  throw new Error('the message indexes are cut short');
}

/**
 * Confluent's Protobuf wire format: magic byte 0, the schema id (4 bytes, big-endian), the path of the
 * record's message type in the schema file (an array of zig-zag varints, its length first; [0], the
 * first message, is written as the single byte 0), then the message.
 */
export function protobufWireFormat(id: number, indexes: readonly number[], payload: Buffer): Buffer {
  const path: number[] = [];
  if (indexes.length === 1 && indexes[0] === 0) path.push(0);
  else {
    writeVarint(path, indexes.length);
    for (const i of indexes) writeVarint(path, i);
  }
  return Buffer.concat([wireFormat(id, Buffer.from(path)), payload]);
}

export function readProtobufWireFormat(buf: Buffer): { id: number; indexes: number[]; payload: Buffer } {
  const { id, payload } = readWireFormat(buf);
  let { value: count, next } = readVarint(payload, 0);
  if (count === 0) return { id, indexes: [0], payload: payload.subarray(next) };
  if (count < 0 || count > payload.length) throw new Error(`the message indexes hold ${count} entries, more than the record's bytes`);
  const indexes: number[] = [];
  while (count-- > 0) {
    const got = readVarint(payload, next);
    if (got.value < 0) throw new Error(`message index ${got.value} is negative`);
    indexes.push(got.value);
    next = got.next;
  }
  return { id, indexes, payload: payload.subarray(next) };
}
