import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../../../lib/cli/api-client';

/** A loopback server that cuts the first `resets` connections before answering, then answers `{"ok":true}`. */
async function flakyServer(resets: number): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  let left = resets;
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (left > 0) {
      left--;
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`, requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('ApiClient', () => {
  it('sends a read again when the server resets its connection', async () => {
    const server = await flakyServer(2);
    try {
      await expect(new ApiClient({ server: server.url }).request('GET', '/api/v1/flows')).resolves.toEqual({ ok: true });
      expect(server.requests).toEqual(['GET /api/v1/flows', 'GET /api/v1/flows', 'GET /api/v1/flows']);
    } finally {
      await server.close();
    }
  });

  it('gives up on a read after two retries, naming the server and the cause', async () => {
    const server = await flakyServer(5);
    try {
      await expect(new ApiClient({ server: server.url }).request('GET', '/api/v1/flows'))
        .rejects.toMatchObject({ code: 'INFRA_RETRYABLE', message: expect.stringContaining(`cannot reach ${server.url}`) });
      expect(server.requests).toHaveLength(3);
    } finally {
      await server.close();
    }
  });

  it('never sends a write twice', async () => {
    const server = await flakyServer(1);
    try {
      await expect(new ApiClient({ server: server.url }).request('POST', '/api/v1/executions/n/f')).rejects.toMatchObject({ code: 'INFRA_RETRYABLE' });
      expect(server.requests).toEqual(['POST /api/v1/executions/n/f']);
    } finally {
      await server.close();
    }
  });
});
