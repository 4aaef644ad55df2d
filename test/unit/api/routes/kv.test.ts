// The /kv routes over real HTTP, on the real kv service over the in-memory store.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryKeyValueStore } from '../../../../lib/adapters/local/key-value-store';
import { kvService } from '../../../../lib/api/kv-service';
import { createApiHandler } from '../../../../lib/api/router';
import type { ApiService } from '../../../../lib/api/service';

const unused = new Proxy({}, { get: () => { throw new Error('not used by the kv routes'); } });

function serviceWith(kv: ApiService['kv']): ApiService {
  return { flows: unused, executions: unused, logs: unused, storage: unused, triggers: unused, kv } as unknown as ApiService;
}

async function serve(service: ApiService): Promise<{ url: string; server: Server }> {
  const handler = createApiHandler({ service });
  const server = createServer((req, res) => { void handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/namespaces` };
}

describe('the /kv routes', () => {
  let url: string;
  let server: Server;
  beforeAll(async () => {
    ({ url, server } = await serve(serviceWith(kvService(new MemoryKeyValueStore(), { now: () => new Date() }))));
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('puts a value, gets it typed, lists it and deletes it as Kestra\'s API does', async () => {
    expect((await fetch(`${url}/company.team/kv/conf`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"region":"eu"}' })).status).toBe(204);
    const got = await fetch(`${url}/company.team/kv/conf`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ type: 'JSON', value: { region: 'eu' } });
    const list = await (await fetch(`${url}/company.team/kv`)).json();
    expect(list).toEqual([expect.objectContaining({ key: 'conf', type: 'JSON' })]);
    const del = await fetch(`${url}/company.team/kv/conf`, { method: 'DELETE' });
    expect(await del.json()).toBe(true);
    expect((await fetch(`${url}/company.team/kv/conf`)).status).toBe(404);
  });

  it('takes a ttl header', async () => {
    await fetch(`${url}/company/kv/short`, { method: 'PUT', headers: { 'content-type': 'text/plain', ttl: 'PT1H' }, body: 'hello' });
    const [entry] = await (await fetch(`${url}/company/kv`)).json() as Array<{ expirationDate?: string }>;
    expect(entry.expirationDate).toBeDefined();
  });

  it('refuses a traversal in the key or namespace with 400 and a message, no stack', async () => {
    const r = await fetch(`${url}/company/kv/..%2Fsecrets`);
    expect(r.status).toBe(400);
    const body = await r.json() as { code: string; message: string; stack?: unknown };
    expect(body).toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining('invalid key-value key') });
    expect(body.stack).toBeUndefined();
  });

  it('answers NOT_SUPPORTED when the runtime has no key-value store', async () => {
    const other = await serve(serviceWith(undefined));
    try {
      const r = await fetch(`${other.url}/company/kv`);
      expect(r.status).toBe(422);
      expect(await r.json()).toMatchObject({ code: 'NOT_SUPPORTED', message: 'this server has no key-value store' });
    } finally {
      await new Promise((res) => other.server.close(res));
    }
  });
});
