// The flow graph routes over real HTTP; the flows come from a small in-memory service that parses with
// the real validator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from '../../../../lib/api/router';
import type { ApiService, FlowService } from '../../../../lib/api/service';
import { catalog } from '../../../../lib/plugins/catalog';
import { parseFlowWithTriggers } from '../../../../lib/triggers/validate';
import type { StoredFlow } from '../../../../lib/ports/flow-repository';

const unused = new Proxy({}, { get: () => { throw new Error('not used by the graph routes'); } });
const source = 'id: hello\nnamespace: company.team\ntasks:\n  - id: p\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n      - id: a\n        type: io.kestra.plugin.core.log.Log\n        message: hi\n';

function flows(): FlowService {
  const parse = (s: string) => parseFlowWithTriggers(s, { catalog: catalog() });
  const first = parse(source);
  if (!first.ok) throw new Error('fixture');
  const stored: StoredFlow = { flow: first.flow, revision: 1, source, updated: '2026-01-01T00:00:00.000Z' } as StoredFlow;
  return {
    ...(unused as FlowService),
    get: async (ns, id, revision) => (ns === 'company.team' && id === 'hello' && (revision ?? 1) === 1 ? stored : null),
    validate: async (s) => { const p = parse(s); return { valid: p.ok, errors: p.ok ? [] : p.errors, warnings: p.warnings }; },
  };
}

describe('the flow graph routes', () => {
  let url: string;
  let server: Server;
  beforeAll(async () => {
    const handler = createApiHandler({ service: { flows: flows(), executions: unused, logs: unused, storage: unused, triggers: unused } as unknown as ApiService });
    server = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/flows`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it("answers a saved flow's FlowGraph", async () => {
    const res = await fetch(`${url}/company.team/hello/graph`);
    expect(res.status).toBe(200);
    const g = await res.json();
    expect(g.edges).toEqual(expect.arrayContaining([{ source: 'root.p', target: 'root.p.a', relation: { relationType: 'PARALLEL' } }]));
    expect(g.clusters.map((c: { cluster: { taskId: string } }) => c.cluster.taskId)).toEqual(['p']);
  });

  it('answers 404 naming the flow and revision that do not exist', async () => {
    const res = await fetch(`${url}/company.team/hello/graph?revision=7`);
    expect(res.status).toBe(404);
    expect((await res.json()).message).toBe('flow company.team.hello revision 7 not found');
  });

  it('draws YAML that is not saved, and refuses an invalid flow with every problem at its line', async () => {
    const ok = await fetch(`${url}/graph`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: source.replace('id: a', 'id: b') });
    expect(ok.status).toBe(200);
    expect((await ok.json()).nodes.map((n: { uid: string }) => n.uid)).toContain('root.p.b');
    const bad = await fetch(`${url}/graph`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: source.replace('core.log.Log', 'core.log.Nope') });
    expect(bad.status).toBe(422);
    const body = await bad.json();
    expect(body.code).toBe('FLOW_INVALID');
    expect(body.errors[0]).toEqual(expect.objectContaining({ line: 8, message: expect.stringContaining('io.kestra.plugin.core.log.Nope') }));
  });
});
