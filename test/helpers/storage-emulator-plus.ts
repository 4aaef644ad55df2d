// A loopback proxy in front of the Cloud Storage emulator (scripts/services/storage-emulator.sh) that
// adds, at the wire level, what that emulator answers "Not Implemented": buckets.insert/get/patch/delete
// (kept in memory; the emulator makes buckets implicitly) and objects.compose (the sources are read
// from the emulator, concatenated, and written back to it). Everything else is forwarded unchanged.
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StoragePlus {
  endpoint: string;
  buckets: Map<string, Record<string, unknown>>;
  requests: Array<{ method: string; path: string }>;
  close(): Promise<void>;
}

const error = (res: ServerResponse, code: number, reason: string, message: string) => {
  res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason }] } }));
};

function call(base: URL, method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) })).on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startStoragePlus(emulator: string): Promise<StoragePlus> {
  const base = new URL(emulator.includes('://') ? emulator : `http://${emulator}`);
  const buckets = new Map<string, Record<string, unknown>>();
  const requests: StoragePlus['requests'] = [];

  const own = async (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): Promise<boolean> => {
    // The client sends JSON API calls under /b when given an endpoint, under /storage/v1/b otherwise.
    const path = url.pathname.replace(/^\/storage\/v1(?=\/b(\/|$))/, '');
    let m: RegExpExecArray | null;
    if (path === '/b' && req.method === 'POST') {
      const json = JSON.parse(body.toString('utf8') || '{}');
      if (buckets.has(json.name)) { error(res, 409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.'); return true; }
      const resource = { kind: 'storage#bucket', id: json.name, location: 'US', storageClass: 'STANDARD', ...json, metageneration: '1', timeCreated: new Date().toISOString() };
      buckets.set(json.name, resource);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(resource));
      return true;
    }
    if ((m = /^\/b\/([^/]+)$/.exec(path))) {
      const name = decodeURIComponent(m[1]);
      const bucket = buckets.get(name);
      if (!bucket) { error(res, 404, 'notFound', 'The specified bucket does not exist.'); return true; }
      if (req.method === 'DELETE') { buckets.delete(name); res.writeHead(204).end(); return true; }
      if (req.method === 'PATCH') {
        const patch = JSON.parse(body.toString('utf8') || '{}');
        if (patch.labels && bucket.labels) patch.labels = { ...(bucket.labels as object), ...patch.labels };
        Object.assign(bucket, patch, { metageneration: String(Number(bucket.metageneration) + 1) });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(bucket));
      return true;
    }
    if ((m = /^\/b\/([^/]+)\/o\/(.+)\/compose$/.exec(path)) && req.method === 'POST') {
      const [bucket, name] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const json = JSON.parse(body.toString('utf8'));
      const parts: Buffer[] = [];
      for (const source of json.sourceObjects as Array<{ name: string }>) {
        const got = await call(base, 'GET', `/download/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(source.name)}?alt=media`);
        if (got.status !== 200) { error(res, 404, 'notFound', `No such object: ${bucket}/${source.name}`); return true; }
        parts.push(got.body);
      }
      const put = await call(base, 'POST', `/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=media&name=${encodeURIComponent(name)}`, Buffer.concat(parts),
        { 'content-type': json.destination?.contentType ?? 'application/octet-stream' });
      res.writeHead(put.status, { 'content-type': 'application/json' }).end(put.body);
      return true;
    }
    return false;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      requests.push({ method: req.method ?? '', path: url.pathname });
      const body = Buffer.concat(chunks);
      own(req, url, body, res).then((done) => {
        if (done) return;
        const headers = { ...req.headers, host: base.host };
        const fwd = request({ host: base.hostname, port: base.port, method: req.method, path: req.url, headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        });
        fwd.on('error', (err) => error(res, 502, 'badGateway', String(err)));
        fwd.end(body);
      }, (err: unknown) => error(res, 500, 'internalError', String(err)));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    buckets,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
