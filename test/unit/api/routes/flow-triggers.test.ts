// PUT /api/v1/flows/{ns}/{id}/triggers/{triggerId} over real HTTP; the flows live in a small in-memory
// service that parses with the real validator.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler } from '../../../../lib/api/router';
import { setTriggerDisabled } from '../../../../lib/api/routes/flow-triggers';
import type { ApiService, FlowService, SavedFlow } from '../../../../lib/api/service';
import { catalog } from '../../../../lib/plugins/catalog';
import { parseFlowWithTriggers } from '../../../../lib/triggers/validate';

const unused = new Proxy({}, { get: () => { throw new Error('not used by the trigger route'); } });
const SOURCE = `id: nightly
namespace: company.team
tasks:
  - id: hello
    type: io.kestra.plugin.core.log.Log
    message: hi
triggers:
  # every night
  - id: schedule
    type: io.kestra.plugin.core.trigger.Schedule
    cron: "0 2 * * *"
`;

function flows(): FlowService & { sources: string[] } {
  const sources = [SOURCE];
  const stored = (source: string, revision: number): SavedFlow => {
    const p = parseFlowWithTriggers(source, { catalog: catalog() });
    if (!p.ok) throw new Error(p.errors[0].message);
    return { flow: p.flow, revision, source, updated: '2026-01-01T00:00:00.000Z', warnings: [] } as unknown as SavedFlow;
  };
  return {
    ...(unused as FlowService),
    sources,
    get: async (ns, id) => (ns === 'company.team' && id === 'nightly' ? stored(sources.at(-1)!, sources.length) : null),
    save: async (source) => { sources.push(source); return stored(source, sources.length); },
  };
}

describe('the trigger toggle route', () => {
  let url: string;
  let server: Server;
  let service: ReturnType<typeof flows>;
  beforeAll(async () => {
    service = flows();
    const handler = createApiHandler({ service: { flows: service, executions: unused, logs: unused, storage: unused, triggers: unused } as unknown as ApiService });
    server = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/flows`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  const put = (path: string, body: unknown) => fetch(`${url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('disables a trigger as a new revision that keeps the comments, then enables it again', async () => {
    const off = await put('/company.team/nightly/triggers/schedule', { disabled: true });
    expect(off.status).toBe(200);
    const saved = await off.json();
    expect(saved.revision).toBe(2);
    expect(saved.triggers[0].disabled).toBe(true);
    expect(service.sources[1]).toContain('# every night');
    const on = await (await put('/company.team/nightly/triggers/schedule', { disabled: false })).json();
    expect(on.triggers[0].disabled).toBeFalsy();
    expect(service.sources[2]).toBe(SOURCE);
  });

  it('answers 404 naming the trigger or the flow that does not exist, and 400 for a body without disabled', async () => {
    const noTrigger = await put('/company.team/nightly/triggers/nope', { disabled: true });
    expect(noTrigger.status).toBe(404);
    expect((await noTrigger.json()).message).toBe('trigger nope of flow company.team.nightly not found');
    expect((await put('/company.team/other/triggers/schedule', { disabled: true })).status).toBe(404);
    const bad = await put('/company.team/nightly/triggers/schedule', { disabled: 'yes' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/^request body: disabled: /);
  });

  it('leaves a source without that trigger alone', () => {
    expect(setTriggerDisabled('id: x\nnamespace: y\ntasks: []\n', 'schedule', true)).toBeUndefined();
  });
});
