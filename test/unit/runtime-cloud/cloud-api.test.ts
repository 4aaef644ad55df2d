import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { harness, type Harness } from './helpers';

const FLOW = `
id: greet
namespace: unit.cloud
inputs:
  - name: who
    type: STRING
tasks:
  - id: hello
    type: io.kestra.core.tasks.debugs.Return
    format: "hello {{ inputs.who }}"
`;

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(h: Harness): Promise<string> {
  server = createServer((req, res) => { void h.rt.api(req, res); });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the cloud api function', () => {
  it('creates a flow from YAML, starts an execution with JSON inputs and returns it by id', async () => {
    const h = await harness();
    const url = await serve(h);
    const created = await fetch(`${url}/api/v1/flows`, { method: 'POST', headers: { 'content-type': 'application/x-yaml' }, body: FLOW });
    expect(created.status).toBe(200);
    expect(await created.json()).toMatchObject({ id: 'greet', namespace: 'unit.cloud', revision: 1 });
    const started = await fetch(`${url}/api/v1/executions/unit.cloud/greet`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs: { who: 'Ada' } }),
    });
    expect(started.status).toBe(200);
    const execution = await started.json() as { id: string; state: { current: string } };
    expect(execution.state.current).toBe('CREATED');
    // The api only appends: the executor (woken by Firestore in the cloud) runs it.
    expect(await h.adapters.store.hasPending(execution.id)).toBe(true);
    await h.drive(execution.id);
    const got = await (await fetch(`${url}/api/v1/executions/${execution.id}`)).json() as { state: { current: string }; taskRunList: Array<{ outputs?: unknown }> };
    expect(got.state.current).toBe('SUCCESS');
    expect(got.taskRunList[0].outputs).toEqual({ value: 'hello Ada' });
  });

  it('answers with the configuration error when the function is not configured', async () => {
    const h = await harness();
    (h.rt.deps as unknown as { opts: { env: Record<string, string> } }).opts.env = { ALOFT_LEASE_MS: 'soon' };
    const url = await serve(h);
    const res = await fetch(`${url}/api/v1/flows/search`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('ALOFT_LEASE_MS') });
  });

  it('serves the built web UI at /ui, as aloft server does', async () => {
    const h = await harness();
    const url = await serve(h);
    const page = await fetch(`${url}/ui/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<div id="app"></div>');
  }, 30_000);
});
