// Bearer tokens on `aloft server`: 401 without or with an unknown token, 403 for a read-only token
// on a route that changes something, and webhooks public unless configured otherwise.
import { flowYaml, startServer, type Harness } from './server-harness';

const ADMIN = 'admin-token-123';
const READER = 'reader-token-456';
const NS = 'io.aloft.auth';
const hook = (key: string) => `triggers:\n  - id: hook\n    type: io.kestra.core.models.triggers.types.Webhook\n    key: ${key}\n`;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('aloft server with tokens', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ auth: { tokens: [{ token: ADMIN, scope: 'admin' }, { token: READER, scope: 'read' }] } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'f', hook('open-key')), headers: bearer(ADMIN) })).status).toBe(200);
  });
  afterAll(async () => { await h.stop(); });

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const r = await h.call('GET', `/api/v1/flows/${NS}/f`);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe('UNAUTHORIZED');
    expect(r.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 for an unknown token and a malformed header', async () => {
    expect((await h.call('GET', `/api/v1/flows/${NS}/f`, { headers: bearer('wrong-token-000') })).status).toBe(401);
    expect((await h.call('GET', `/api/v1/flows/${NS}/f`, { headers: { authorization: ADMIN } })).status).toBe(401);
  });

  it('lets a read-only token read and answers 403 when it tries to change something', async () => {
    expect((await h.call('GET', `/api/v1/flows/${NS}/f`, { headers: bearer(READER) })).status).toBe(200);
    const start = await h.call('POST', `/api/v1/executions/${NS}/f`, { json: {}, headers: bearer(READER) });
    expect(start.status).toBe(403);
    expect(start.body.code).toBe('FORBIDDEN');
    expect((await h.call('DELETE', `/api/v1/flows/${NS}/f`, { headers: bearer(READER) })).status).toBe(403);
  });

  it('lets the admin token do everything', async () => {
    expect((await h.call('POST', `/api/v1/executions/${NS}/f`, { json: {}, headers: bearer(ADMIN) })).status).toBe(200);
  });

  it('keeps webhooks public by default: their key protects them', async () => {
    const r = await h.call('POST', `/api/v1/executions/webhook/${NS}/f/open-key`, { json: { a: 1 } });
    expect(r.status).toBe(200);
  });
});

describe('aloft server with private webhooks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ auth: { tokens: [{ token: ADMIN, scope: 'admin' }, { token: READER, scope: 'read' }], webhooksPublic: false } });
    await h.call('POST', '/api/v1/flows', { yaml: flowYaml(NS, 'f', hook('closed-key')), headers: bearer(ADMIN) });
  });
  afterAll(async () => { await h.stop(); });

  it('answers 401 without a token, 403 with a read-only one and starts with the admin one', async () => {
    const path = `/api/v1/executions/webhook/${NS}/f/closed-key`;
    expect((await h.call('POST', path, { json: {} })).status).toBe(401);
    expect((await h.call('POST', path, { json: {}, headers: bearer(READER) })).status).toBe(403);
    const ok = await h.call('POST', path, { json: {}, headers: bearer(ADMIN) });
    expect(ok.status).toBe(200);
    expect(ok.body.trigger.variables.headers.authorization).toBeUndefined();
  });
});
