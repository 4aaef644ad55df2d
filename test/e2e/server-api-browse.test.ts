// The browsing routes (lib/api/routes/flow-browse.ts, plugins.ts) and the logs under an execution,
// over real HTTP against aloft server.
import { flowYaml, startServer, type Harness } from './server-harness';

const NS = 'io.aloft.browse';

describe('browsing routes of aloft server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
    for (const yaml of [flowYaml(NS, 'a'), flowYaml(NS, 'a', 'description: second'), flowYaml(NS, 'b'), flowYaml(`${NS}.sub`, 'c')]) {
      expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBeLessThan(300);
    }
  });
  afterAll(() => h.stop());

  it('GET /api/v1/flows/{namespace} lists the latest revisions of that namespace only', async () => {
    const r = await h.call('GET', `/api/v1/flows/${NS}`);
    expect(r.status).toBe(200);
    expect(r.body.map((f: { id: string; revision: number }) => [f.id, f.revision])).toEqual([['a', 2], ['b', 1]]);
  });

  it('GET /api/v1/flows/{namespace}/{id}/revisions returns every revision, oldest first, and 404 for no flow', async () => {
    const r = await h.call('GET', `/api/v1/flows/${NS}/a/revisions`);
    expect(r.status).toBe(200);
    expect(r.body.map((f: { revision: number; description?: string }) => [f.revision, f.description])).toEqual([[1, undefined], [2, 'second']]);
    expect((await h.call('GET', `/api/v1/flows/${NS}/nope/revisions`)).status).toBe(404);
  });

  it('GET /api/v1/plugins lists every type with its status, and /plugins/{type} the JSON Schema of its properties', async () => {
    const list = await h.call('GET', '/api/v1/plugins');
    expect(list.status).toBe(200);
    expect(list.body).toContainEqual(expect.objectContaining({ type: 'io.kestra.plugin.gcp.vertexai.CustomJob', status: 'runs' }));
    // An alias finds its type.
    const ret = await h.call('GET', '/api/v1/plugins/io.kestra.plugin.core.debug.Return');
    expect(ret.status).toBe(200);
    expect(ret.body).toMatchObject({ type: 'io.kestra.core.tasks.debugs.Return', status: 'runs', properties: { type: 'object', properties: { format: expect.any(Object) } } });
    expect((await h.call('GET', '/api/v1/plugins/io.kestra.nope.Nope')).status).toBe(404);
  });

  it('GET /api/v1/plugins/{type} answers for every known type', async () => {
    const list = await h.call('GET', '/api/v1/plugins');
    for (const { type } of list.body as Array<{ type: string }>) {
      const r = await h.call('GET', `/api/v1/plugins/${type}`);
      expect([type, r.status]).toEqual([type, 200]);
    }
  });

  it('GET /api/v1/executions/{id}/logs returns the logs, not the start-execution route', async () => {
    const started = await h.call('POST', `/api/v1/executions/${NS}/b`, { json: {} });
    expect(started.status).toBe(200);
    await h.server.runtime.waitForEnd(started.body.id);
    const under = await h.call('GET', `/api/v1/executions/${started.body.id}/logs`);
    expect(under.status).toBe(200);
    expect(under.body).toEqual((await h.call('GET', `/api/v1/logs/${started.body.id}`)).body);
  });
});
