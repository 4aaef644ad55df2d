// A fake of Secret Manager's REST API on loopback, at the wire level: the adapter's real HTTP requests
// reach it. It answers `GET /v1/projects/{project}/secrets/{name}/versions/latest:access` the way the
// service does (JSON payload with base64 data; Google error bodies for 401, 403, 404, 503).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSecretManager {
  endpoint: string;
  /** Every request seen, for assertions on what went over the wire. */
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Secrets by project, then name. */
  secrets: Map<string, Map<string, string>>;
  /** Names answered with 403 or 503. */
  forbidden: Set<string>;
  unavailable: Set<string>;
  close(): Promise<void>;
}

const ACCESS = /^\/v1\/projects\/([^/]+)\/secrets\/([^/]+)\/versions\/latest:access$/;

function googleError(code: number, status: string, message: string): string {
  return JSON.stringify({ error: { code, message, status } });
}

export async function startFakeSecretManager(token: string): Promise<FakeSecretManager> {
  const fake: Omit<FakeSecretManager, 'endpoint' | 'close'> = { requests: [], secrets: new Map(), forbidden: new Set(), unavailable: new Set() };
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = req.url ?? '';
    fake.requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(body);
    const m = ACCESS.exec(path);
    if (req.method !== 'GET' || !m) return send(404, googleError(404, 'NOT_FOUND', `no route ${req.method} ${path}`));
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(401, googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'));
    }
    const [, project, name] = m;
    const resource = `projects/${project}/secrets/${name}`;
    if (fake.forbidden.has(name)) return send(403, googleError(403, 'PERMISSION_DENIED', `Permission 'secretmanager.versions.access' denied for resource '${resource}/versions/latest'`));
    if (fake.unavailable.has(name)) return send(503, googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'));
    const value = fake.secrets.get(decodeURIComponent(project))?.get(name);
    if (value === undefined) return send(404, googleError(404, 'NOT_FOUND', `Secret [${resource}] not found or has no versions.`));
    return send(200, JSON.stringify({ name: `${resource}/versions/1`, payload: { data: Buffer.from(value).toString('base64') } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
