// A wire-level fake of the Confluent Schema Registry REST API on 127.0.0.1, for tests: subjects and
// versions, schemas by id, AVRO (the default) and PROTOBUF schema types with references, compatibility
// checks (BACKWARD by default: avsc's resolver for Avro; for Protobuf, no message removed and no field
// number given another type) and a mode in which every request answers 500.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import protobuf from 'protobufjs';

export interface Reference {
  name: string;
  subject: string;
  version: number;
}

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
  /** The schema type of each id that is not AVRO. */
  schemaTypes: Map<number, 'PROTOBUF'>;
  /** The references of each id that has some. */
  references: Map<number, Reference[]>;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startFakeSchemaRegistry(): Promise<FakeSchemaRegistry> {
  const schemas = new Map<number, string>();
  const schemaTypes = new Map<number, 'PROTOBUF'>();
  const references = new Map<number, Reference[]>();
  const subjects = new Map<string, number[]>(); // subject -> schema ids by version
  const state: Omit<FakeSchemaRegistry, 'url' | 'close'> = { failing: false, requests: [], compatibility: new Map(), schemas, schemaTypes, references };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': JSON_TYPE });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: number, message: string): void => send(res, status, { error_code: code, message });
  // Parsed to reject what is not Avro; kept as sent (with its logicalType attributes), as the registry does.
  const canonicalAvro = (text: string): string => {
    const parsed: unknown = JSON.parse(text);
    avro.Type.forSchema(parsed as avro.Schema);
    return JSON.stringify(parsed);
  };
  // A Protobuf file with its references (and theirs) parsed into one root, so that a type it does not
  // have fails as the registry fails it; google/protobuf's well-known types are built in there too.
  const protobufRoot = (text: string, refs: Reference[]): protobuf.Root => {
    const root = new protobuf.Root();
    const add = (source: string, deps: Reference[], seen: Set<string>): void => {
      const parsed = protobuf.parse(source, root, { keepCase: true });
      for (const name of parsed.imports ?? []) {
        const ref = deps.find((r) => r.name === name);
        if (ref) {
          if (seen.has(name)) continue;
          seen.add(name);
          const id = subjects.get(ref.subject)?.[ref.version - 1];
          if (id === undefined) throw new Error(`reference ${name}: subject ${ref.subject} has no version ${ref.version}`);
          add(schemas.get(id)!, references.get(id) ?? [], seen);
        } else if (protobuf.common.get(name)) root.addJSON(protobuf.common.get(name)!.nested!);
        else throw new Error(`${name} is imported but not referenced`);
      }
    };
    add(text, refs, new Set());
    root.resolveAll();
    return root;
  };
  const canonical = (text: string, type: 'AVRO' | 'PROTOBUF', refs: Reference[]): string => {
    if (type === 'AVRO') return canonicalAvro(text);
    protobufRoot(text, refs);
    return text;
  };
  /** Every message of a root by full name, with its fields' types by number. */
  const messagesOf = (root: protobuf.Root): Map<string, Map<number, string>> => {
    const out = new Map<string, Map<number, string>>();
    const walk = (ns: protobuf.NamespaceBase): void => {
      for (const n of ns.nestedArray) {
        if (n instanceof protobuf.Type) out.set(n.fullName, new Map(n.fieldsArray.map((f) => [f.id, `${f.repeated ? 'repeated ' : ''}${f.resolvedType?.fullName ?? f.type}`])));
        if (n instanceof protobuf.Namespace || n instanceof protobuf.Type) walk(n);
      }
    };
    walk(root);
    return out;
  };
  const compatible = (subject: string, text: string, type: 'AVRO' | 'PROTOBUF', refs: Reference[]): boolean => {
    if ((state.compatibility.get(subject) ?? 'BACKWARD') === 'NONE') return true;
    const versions = subjects.get(subject) ?? [];
    if (versions.length === 0) return true;
    const latestId = versions[versions.length - 1];
    if ((schemaTypes.get(latestId) ?? 'AVRO') !== type) return false;
    try {
      if (type === 'PROTOBUF') {
        const before = messagesOf(protobufRoot(schemas.get(latestId)!, references.get(latestId) ?? []));
        const after = messagesOf(protobufRoot(text, refs));
        return [...before].every(([name, fields]) => after.has(name) && [...fields].every(([id, t]) => !after.get(name)!.has(id) || after.get(name)!.get(id) === t));
      }
      const latest = avro.Type.forSchema(JSON.parse(schemas.get(latestId)!));
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
    let body: { schema?: string; schemaType?: string; references?: Reference[] } = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return error(res, 422, 42201, 'Unrecognized body');
    }
    let m: RegExpExecArray | null;
    const type = body.schemaType === 'PROTOBUF' ? 'PROTOBUF' : 'AVRO';
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO' && body.schemaType !== 'PROTOBUF') return error(res, 422, 42201, `Unsupported schema type ${body.schemaType}`);
    const refs = body.references ?? [];
    if (req.method === 'POST' && (m = /^\/subjects\/([^/]+)\/versions$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      let text: string;
      try {
        text = canonical(String(body.schema), type, refs);
      } catch (err) {
        return error(res, 422, 42201, `Invalid schema: ${(err as Error).message}`);
      }
      const same = (id: number): boolean => schemas.get(id) === text && (schemaTypes.get(id) ?? 'AVRO') === type
        && JSON.stringify(references.get(id) ?? []) === JSON.stringify(refs);
      const versions = subjects.get(subject) ?? [];
      const existing = versions.find(same);
      if (existing !== undefined) return send(res, 200, { id: existing });
      if (!compatible(subject, text, type, refs)) return error(res, 409, 409, 'Schema being registered is incompatible with an earlier schema for subject "' + subject + '"');
      let id = [...schemas.keys()].find(same);
      if (id === undefined) {
        id = schemas.size + 1;
        schemas.set(id, text);
        if (type === 'PROTOBUF') schemaTypes.set(id, type);
        if (refs.length > 0) references.set(id, refs);
      }
      subjects.set(subject, [...versions, id]);
      return send(res, 200, { id });
    }
    // As the registry answers: schemaType and references only when they are not the defaults.
    const described = (id: number): Record<string, unknown> => ({
      schema: schemas.get(id), ...(schemaTypes.has(id) ? { schemaType: schemaTypes.get(id) } : {}), ...(references.has(id) ? { references: references.get(id) } : {}),
    });
    if (req.method === 'GET' && (m = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
      const id = Number(m[1]);
      return schemas.has(id) ? send(res, 200, described(id)) : error(res, 404, 40403, 'Schema not found');
    }
    if (req.method === 'GET' && (m = /^\/subjects\/([^/]+)\/versions\/(\d+|latest)$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      const versions = subjects.get(subject);
      if (!versions) return error(res, 404, 40401, 'Subject not found');
      const version = m[2] === 'latest' ? versions.length : Number(m[2]);
      const id = versions[version - 1];
      if (id === undefined) return error(res, 404, 40402, 'Version not found');
      return send(res, 200, { subject, version, id, ...described(id) });
    }
    if (req.method === 'GET' && path === '/subjects') return send(res, 200, [...subjects.keys()]);
    if (req.method === 'GET' && (m = /^\/subjects\/([^/]+)\/versions$/.exec(path))) {
      const versions = subjects.get(decodeURIComponent(m[1]));
      return versions ? send(res, 200, versions.map((_, i) => i + 1)) : error(res, 404, 40401, 'Subject not found');
    }
    if (req.method === 'POST' && (m = /^\/compatibility\/subjects\/([^/]+)\/versions\/latest$/.exec(path))) {
      const subject = decodeURIComponent(m[1]);
      if (!subjects.has(subject)) return error(res, 404, 40401, 'Subject not found');
      return send(res, 200, { is_compatible: compatible(subject, canonical(String(body.schema), type, refs), type, refs) });
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
