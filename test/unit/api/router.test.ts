// The router over real HTTP with a recording ApiService: route precedence, error documents, and the
// same handler under functions-framework, which has already read (and parsed) the body.
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../../../lib/model/errors';
import type { Execution } from '../../../lib/model/execution';
import { createApiHandler, type ApiHandler } from '../../../lib/api/router';
import type { ApiService } from '../../../lib/api/service';

const execution = (id: string): Execution => ({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, inputs: {}, taskRunList: [], version: 1,
  state: { current: 'CREATED', histories: [{ state: 'CREATED', date: '2024-03-14T10:00:00.000Z' }] },
});

/** Records what the router asked for; answers with small fixed values. */
function recordingService(): { service: ApiService; calls: Array<[string, ...unknown[]]> } {
  const calls: Array<[string, ...unknown[]]> = [];
  const rec = <T>(name: string, value: T) => async (...args: unknown[]): Promise<T> => { calls.push([name, ...args]); return value; };
  const service: ApiService = {
    flows: {
      save: async (source) => {
        calls.push(['flows.save', source]);
        if (source.includes('invalid')) throw Object.assign(new AloftError(ErrorCode.FLOW_INVALID, 'bad flow'), { diagnostics: [{ code: 'FLOW_INVALID', message: 'bad flow', line: 1, column: 1 }] });
        return { flow: { id: 'f', namespace: 'n', tasks: [] }, source, revision: 1, updated: 'u', warnings: [] };
      },
      validate: rec('flows.validate', { valid: true, errors: [], warnings: [] }),
      get: rec('flows.get', null),
      list: rec('flows.list', []),
      dependencies: rec('flows.dependencies', { nodes: [], edges: [] }),
      namespaceDependencies: rec('flows.namespaceDependencies', { nodes: [], edges: [] }),
      dependents: rec('flows.dependents', []),
      delete: rec('flows.delete', undefined),
    },
    executions: {
      // Reads uploaded files while the request is handled, as the real service does: streamed uploads are
      // temporary files that are gone once the answer is sent.
      start: async (...args: unknown[]) => {
        const body = args[2] as { files?: Record<string, { data: unknown }> } | undefined;
        for (const f of Object.values(body?.files ?? {})) {
          if (f.data instanceof Readable) {
            const chunks: Buffer[] = [];
            for await (const c of f.data) chunks.push(c as Buffer);
            f.data = Buffer.concat(chunks);
          }
        }
        calls.push(['executions.start', ...args]);
        return execution('started');
      },
      get: async (id) => { calls.push(['executions.get', id]); if (id === 'boom') throw new Error('disk on fire'); return execution(id); },
      list: rec('executions.list', { executions: [] }),
      count: rec('executions.count', 42),
      tokenAfter: rec('executions.tokenAfter', undefined),
      delete: rec('executions.delete', undefined),
      kill: rec('executions.kill', execution('k')),
      restart: rec('executions.restart', execution('r')),
      resume: rec('executions.resume', execution('r')),
      replay: rec('executions.replay', execution('new')),
    },
    logs: { list: rec('logs.list', []) },
    storage: { download: rec('storage.download', { stream: undefined as never, fileName: 'x' }) },
    triggers: { webhook: async (...args) => { calls.push(['triggers.webhook', ...args]); return { status: 'started', execution: execution('hooked') }; } },
  };
  return { service, calls };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each([
  ['node:http', (h: ApiHandler) => createServer((req, res) => { void h(req, res); })],
  ['functions-framework', (h: ApiHandler) => {
    functions.http('aloftRouterTest', (req, res) => h(req, res));
    return getTestServer('aloftRouterTest');
  }],
])('the API router under %s', (_name, serve) => {
  let url: string;
  let server: Server;
  let calls: ReturnType<typeof recordingService>['calls'];
  const errors: unknown[] = [];
  beforeAll(async () => {
    const rec = recordingService();
    calls = rec.calls;
    server = serve(createApiHandler({ service: rec.service, limits: { webhookBodyBytes: 100 }, onError: (e) => errors.push(e) }));
    url = await listen(server);
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });
  beforeEach(() => { calls.length = 0; });

  const call = (method: string, path: string, init: RequestInit = {}) => fetch(`${url}${path}`, { method, ...init });

  it('routes /executions/search to the search, not to an execution id', async () => {
    await call('GET', '/api/v1/executions/search?namespace=n');
    expect(calls[0][0]).toBe('executions.list');
  });

  it("answers a search in Kestra's paged shape, with the total of every match of the same filter", async () => {
    const r = await call('GET', '/api/v1/executions/search?namespace=n&state=SUCCESS&size=5');
    expect(await r.json()).toEqual({ results: [], total: 42, page: 1, size: 5 });
    expect(calls.find((c) => c[0] === 'executions.count')).toEqual(['executions.count', { namespace: 'n', states: ['SUCCESS'], pageSize: 5 }]);
  });

  it('deletes an execution with its logs and files unless told to keep them, answering 204', async () => {
    const r = await call('DELETE', '/api/v1/executions/abc');
    expect(r.status).toBe(204);
    await call('DELETE', '/api/v1/executions/abc?deleteLogs=false&deleteMetrics=true&deleteStorage=false');
    expect(calls).toEqual([['executions.delete', 'abc', { logs: true, storage: true }], ['executions.delete', 'abc', { logs: false, storage: false }]]);
  });

  it('refuses a delete flag that is not true or false, naming it', async () => {
    const r = await call('DELETE', '/api/v1/executions/abc?deleteLogs=yes');
    expect(r.status).toBe(400);
    expect((await r.json()).message).toMatch(/^query deleteLogs: /);
    expect(calls).toEqual([]);
  });

  it('routes /executions/{id}/restart to the restart, not to a flow named restart', async () => {
    await call('POST', '/api/v1/executions/abc/restart');
    expect(calls[0]).toEqual(['executions.restart', 'abc']);
  });

  it('starts executions on the Kestra 0.x path too', async () => {
    await call('POST', '/api/v1/executions/trigger/n/f', { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { a: 1 } }) });
    expect(calls[0]).toEqual(['executions.start', 'n', 'f', { inputs: { a: 1 }, files: {}, labels: {} }]);
  });

  it('reads a YAML body that the framework may already have read', async () => {
    const yaml = 'id: f\nnamespace: n\ntasks: []\n';
    const r = await call('POST', '/api/v1/flows', { headers: { 'content-type': 'application/x-yaml' }, body: yaml });
    expect(r.status).toBe(200);
    expect(calls[0]).toEqual(['flows.save', yaml]);
  });

  it('keeps the raw webhook body even when the framework parsed it as JSON', async () => {
    await call('POST', '/api/v1/executions/webhook/n/f/key?a=1', { headers: { 'content-type': 'application/json' }, body: '{"x": [1, 2]}' });
    const [, ns, flowId, key, req] = calls[0] as [string, string, string, string, { body: Buffer; parameters: unknown }];
    expect([ns, flowId, key]).toEqual(['n', 'f', 'key']);
    expect(req.body.toString()).toBe('{"x": [1, 2]}');
    expect(req.parameters).toEqual({ a: ['1'] });
  });

  it('gives an empty webhook body as no body', async () => {
    await call('POST', '/api/v1/executions/webhook/n/f/key', { headers: { 'content-type': 'application/json' } });
    expect((calls[0][4] as { body?: Buffer }).body).toBeUndefined();
  });

  it('answers a webhook body over its limit with 413 and a code', async () => {
    const r = await call('POST', '/api/v1/executions/webhook/n/f/key', { headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(101) });
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than the limit of 100 bytes' });
  });

  it('takes multipart inputs that the framework has buffered', async () => {
    const form = new FormData();
    form.set('who', 'me');
    form.set('doc', new Blob(['hello']), 'doc.txt');
    await call('POST', '/api/v1/executions/n/f', { body: form });
    const body = calls[0][3] as { inputs: unknown; files: Record<string, { fileName: string; data: Buffer }> };
    expect(body.inputs).toEqual({ who: 'me' });
    expect(body.files.doc.fileName).toBe('doc.txt');
    expect(body.files.doc.data.toString()).toBe('hello');
  });

  it('puts every diagnostic of an invalid flow in `errors`', async () => {
    const r = await call('POST', '/api/v1/flows', { headers: { 'content-type': 'application/x-yaml' }, body: 'invalid' });
    expect(r.status).toBe(422);
    expect(await r.json()).toEqual({ code: 'FLOW_INVALID', message: 'bad flow', errors: [{ code: 'FLOW_INVALID', message: 'bad flow', line: 1, column: 1 }] });
  });

  it('answers an unexpected failure with 500 INTERNAL and reports it', async () => {
    const r = await call('GET', '/api/v1/executions/boom');
    expect(r.status).toBe(500);
    expect(await r.json()).toEqual({ code: 'INTERNAL', message: 'disk on fire' });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('decodes path parameters', async () => {
    await call('GET', '/api/v1/executions/a%20b');
    expect(calls[0]).toEqual(['executions.get', 'a b']);
  });
});

describe('the execution search by page number', () => {
  it('asks the store to skip the earlier executions by their keys, then reads one page, and lands on the same execution', async () => {
    const all = Array.from({ length: 5000 }, (_, i) => execution(`e${i}`));
    const calls: string[] = [];
    const { service } = recordingService();
    service.executions.list = async (filter) => {
      const offset = filter.pageToken ? Number(filter.pageToken) : 0;
      const size = filter.pageSize ?? 100;
      calls.push(`list ${offset} ${size}`);
      const next = offset + size;
      return { executions: all.slice(offset, next), ...(next < all.length ? { nextPageToken: String(next) } : {}) };
    };
    service.executions.tokenAfter = async (filter, n) => {
      calls.push(`skip ${n}`);
      const next = (filter.pageToken ? Number(filter.pageToken) : 0) + n;
      return next < all.length ? String(next) : undefined;
    };
    const server = createServer((req, res) => { void createApiHandler({ service })(req, res); });
    const url = await listen(server);
    try {
      const page = await (await fetch(`${url}/api/v1/executions/search?size=1&page=4321`)).json();
      expect(page.results.map((e: { id: string }) => e.id)).toEqual(['e4320']);
      expect(calls).toEqual(['skip 4320', 'list 4320 1']);
      calls.length = 0;
      const beyond = await (await fetch(`${url}/api/v1/executions/search?size=1&page=100000`)).json();
      expect(beyond.results).toEqual([]);
      expect(calls).toEqual(['skip 99999']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the request log', () => {
  it('has one line per request with method, route template, status and duration, and no key, query value or header', async () => {
    const { service } = recordingService();
    const lines: Array<Record<string, unknown>> = [];
    let t = 0;
    const handler = createApiHandler({ service, onRequest: (l) => lines.push({ ...l }), now: () => (t += 2.5) });
    const server = createServer((req, res) => { void handler(req, res); });
    const url = await listen(server);
    try {
      await fetch(`${url}/api/v1/executions/webhook/n/f/secret-key-123?token=query-secret`, { method: 'POST', body: 'x', headers: { authorization: 'Bearer header-secret' } });
      await fetch(`${url}/api/v1/executions/boom`);
      await fetch(`${url}/api/v1/nowhere?password=p4ss`);
      // 'close' follows the answer: wait for the three lines rather than for a time.
      while (lines.length < 3) await new Promise((r) => setImmediate(r));
      expect(lines).toEqual([
        { method: 'POST', route: '/api/v1/executions/webhook/{namespace}/{flowId}/{key}', status: 200, durationMs: 2.5 },
        { method: 'GET', route: '/api/v1/executions/{executionId}', status: 500, durationMs: 2.5 },
        { method: 'GET', route: 'unmatched', status: 404, durationMs: 2.5 },
      ]);
      expect(JSON.stringify(lines)).not.toMatch(/secret|p4ss/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
