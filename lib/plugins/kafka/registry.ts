// A client of the Confluent Schema Registry REST API: what Kestra's Avro serializer and deserializer
// call (register a subject's schema, read a schema by id), with both answers cached for the task run.
import { AloftError, ErrorCode } from '../../model/errors';

export class SchemaRegistry {
  private readonly ids = new Map<string, Promise<number>>();
  private readonly schemas = new Map<number, Promise<string>>();
  private readonly auth?: string;

  constructor(readonly url: string, serdeProperties: Readonly<Record<string, string>> = {}) {
    const userInfo = serdeProperties['basic.auth.user.info'] ?? serdeProperties['schema.registry.basic.auth.user.info'];
    if (userInfo) this.auth = `Basic ${Buffer.from(userInfo).toString('base64')}`;
  }

  /** The id of `schema` under `subject`, registering it (auto.register.schemas, Kestra's default). */
  register(subject: string, schema: string): Promise<number> {
    const key = `${subject}\n${schema}`;
    let id = this.ids.get(key);
    if (!id) {
      id = this.request('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema })
        .then((body) => Number((body as { id: unknown }).id));
      this.ids.set(key, id);
      id.catch(() => this.ids.delete(key));
    }
    return id;
  }

  /** The schema text a record's id names. */
  schema(id: number): Promise<string> {
    let schema = this.schemas.get(id);
    if (!schema) {
      schema = this.request('GET', `/schemas/ids/${id}`).then((body) => String((body as { schema: unknown }).schema));
      this.schemas.set(id, schema);
      schema.catch(() => this.schemas.delete(id));
    }
    return schema;
  }

  private async request(method: string, path: string, body?: unknown): Promise<unknown> {
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
    return json;
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
