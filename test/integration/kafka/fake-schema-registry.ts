// A wire-level fake of the Confluent Schema Registry REST API on 127.0.0.1, for tests: subjects and
// versions, schemas by id, compatibility checks (BACKWARD by default, checked with avsc's resolver)
// and a mode in which every request answers 500.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';

export interface FakeSchemaRegistry {
  url: string;
  /** Every request answers 500 while true. */
  failing: boolean;
  /** Requests received, as "METHOD /path". */
  requests: string[];
  /** Compatibility level per subject (BACKWARD unless set, NONE to accept anything). */
  compatibility: Map<string, 'BACKWARD' | 'NONE'>;
  /** Registered schemas by id. */
  schemas: Map<number, string>;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startFakeSchemaRegistry(): Promise<FakeSchemaRegistry> {
  const schemas = new Map<number, string>();
  const subjects = new Map<string, number[]>(); // subject -> schema ids by version
  const state: Omit<FakeSchemaRegistry, 'url' | 'close'> = { failing: false, requests: [], compatibility: new Map(), schemas };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': JSON_TYPE });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void => send(res, status, { error_code: code, message });
  // Parsed to reject what is not Avro; kept as sent (with its logicalType attributes), as the registry does.
  const canonical = (text: string): string => {
    const parsed: unknown = JSON.parse(text);
    avro.Type.forSchema(parsed as avro.Schema);
    return JSON.stringify(parsed);
  };
  const compatible = (subject: string, text: string): boolean => {
    if ((state.compatibility.get(subject) ?? 'BACKWARD') === 'NONE') return true;
    const versions = subjects.get(subject) ?? [];
    if (versions.length === 0) return true;
    const latest = avro.Type.forSchema(JSON.parse(schemas.get(versions[versions.length - 1])!));
    try {
      avro.Type.forSchema(JSON.parse(text)).createResolver(latest); // the new schema reads the old data
      return true;
    } catch {
      return false;
    }
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '/').split('?')[0];
    state.requests.push(`${req.method} ${path}`);
    if (state.failing) return error(res, 500, 50001, 'Error in the backend data store');
    let body: { schema?: string; schemaType?: string } = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return error(res, 422, 42201, 'Unrecognized body');
    }
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && (m = /^\/subjects\/([^/]+)\/versions$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      let text: string;
      try {
        text = canonical(String(body.schema));
      } catch (err) {
        return error(res, 422, 42201, `Invalid schema: ${(err as Error).message}`);
      }
      const versions = subjects.get(subject) ?? [];
      const existing = versions.find((id) => schemas.get(id) === text);
      if (existing !== undefined) return send(res, 200, { id: existing });
      if (!compatible(subject, text)) return error(res, 409, 409, 'Schema being registered is incompatible with an earlier schema for subject "' + subject + '"');
      let id = [...schemas].find(([, s]) => s === text)?.[0];
      if (id === undefined) {
        id = schemas.size + 1;
        schemas.set(id, text);
      }
      subjects.set(subject, [...versions, id]);
      return send(res, 200, { id });
    }
    if (req.method === 'GET' && (m = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
      const schema = schemas.get(Number(m[1]));
      return schema ? send(res, 200, { schema }) : error(res, 404, 40403, 'Schema not found');
    }
    if (req.method === 'GET' && path === '/subjects') return send(res, 200, [...subjects.keys()]);
    if (req.method === 'GET' && (m = /^\/subjects\/([^/]+)\/versions$/.exec(path))) {
      const versions = subjects.get(decodeURIComponent(m[1]));
      return versions ? send(res, 200, versions.map((_, i) => i + 1)) : error(res, 404, 40401, 'Subject not found');
    }
    if (req.method === 'POST' && (m = /^\/compatibility\/subjects\/([^/]+)\/versions\/latest$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      if (!subjects.has(subject)) return error(res, 404, 40401, 'Subject not found');
      return send(res, 200, { is_compatible: compatible(subject, canonical(String(body.schema))) });
    }
    if ((m = /^\/config\/([^/]+)$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      if (req.method === 'PUT') {
        const level = (body as { compatibility?: string }).compatibility === 'NONE' ? 'NONE' : 'BACKWARD';
        state.compatibility.set(subject, level);
        return send(res, 200, { compatibility: level });
      }
      return send(res, 200, { compatibilityLevel: state.compatibility.get(subject) ?? 'BACKWARD' });
    }
    return error(res, 404, 404, 'HTTP 404 Not Found');
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => error(res, 500, 50000, (err as Error).message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  });
}
