// GET /api/v1/plugins/schemas/flow over real HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { flowJsonSchema } from '../../../../lib/api/flow-json-schema';
import { createApiHandler } from '../../../../lib/api/router';
import type { ApiService } from '../../../../lib/api/service';
import { catalog } from '../../../../lib/plugins/catalog';

const unused = new Proxy({}, { get: () => { throw new Error('not used by the schema route'); } });

describe('the flow JSON Schema route', () => {
  let url: string;
  let server: Server;
  beforeAll(async () => {
    const handler = createApiHandler({ service: unused as ApiService });
    server = createServer((req, res) => { void handler(req, res); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/plugins/schemas/flow`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });

  it('answers the schema of the catalog as JSON, the same on each call', async () => {
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = await first.json();
    expect(body).toEqual(flowJsonSchema(catalog()));
    expect(await (await fetch(url)).json()).toEqual(body);
  });
});
