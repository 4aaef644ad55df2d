import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { EventarcRelay, durationMs } from '../../../lib/dev/delivery';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
});

/** A fake executor on loopback that answers with the given statuses in turn and records what it got. */
async function target(statuses: number[]): Promise<{ url: string; got: Array<{ path: string; headers: Record<string, unknown>; body: string }> }> {
  const got: Array<{ path: string; headers: Record<string, unknown>; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(statuses[Math.min(got.length - 1, statuses.length - 1)]);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}

describe('the Eventarc relay of the emulated cloud', () => {
  it('drops a request cut off mid-body and goes on relaying', async () => {
    const executor = await target([204]);
    const relay = new EventarcRelay({ target: executor.url, log: () => undefined });
    const port = await relay.listen(0);
    const rejections: unknown[] = [];
    const onRejection = (err: unknown): void => { rejections.push(err); };
    process.on('unhandledRejection', onRejection);
    try {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write('POST /cut HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf');
      await new Promise((r) => setTimeout(r, 50));
      socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const res = await fetch(`http://127.0.0.1:${port}/next`, { method: 'POST', headers: { 'ce-id': 'e2' }, body: 'whole' });
      expect(res.status).toBe(204);
      await until(() => executor.got.length > 0);
      expect(executor.got.map((g) => g.path)).toEqual(['/next']);
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await relay.close();
    }
  });

  it('accepts an event at once and forwards it unchanged, retrying after a failure', async () => {
    const executor = await target([500, 204]);
    const logs: string[] = [];
    const relay = new EventarcRelay({ target: executor.url, log: (_s, m) => logs.push(m) });
    const port = await relay.listen(0);
    const res = await fetch(`http://127.0.0.1:${port}/functions/projects/p/triggers/executor`, {
      method: 'POST', headers: { 'content-type': 'application/protobuf', 'ce-id': 'e1', 'ce-subject': 'documents/executions/x/inbox/k', 'x-other': 'dropped' },
      body: 'CoQB',
    });
    expect(res.status).toBe(204);
    await until(() => executor.got.length === 2);
    expect(executor.got[1]).toMatchObject({
      path: '/functions/projects/p/triggers/executor', body: 'CoQB',
      headers: expect.objectContaining({ 'content-type': 'application/protobuf', 'ce-id': 'e1', 'ce-subject': 'documents/executions/x/inbox/k' }),
    });
    expect(executor.got[1].headers['x-other']).toBeUndefined();
    await relay.close();
    expect(logs).toEqual([]);
  });

  it('gives an event up after its attempts, saying so', async () => {
    const executor = await target([503]);
    const logs: string[] = [];
    const relay = new EventarcRelay({ target: executor.url, maxAttempts: 1, log: (_s, m) => logs.push(m) });
    const port = await relay.listen(0);
    await fetch(`http://127.0.0.1:${port}/x`, { method: 'POST', headers: { 'ce-id': 'e2' }, body: '' });
    await until(() => logs.length === 1);
    expect(logs[0]).toMatch(/event e2 .* given up after 1 deliveries \(HTTP 503\); the scheduler's sweep folds it/);
    await relay.close();
  });

  it('reads subscription durations in seconds', () => {
    expect(durationMs('10s')).toBe(10_000);
    expect(durationMs('1.5s')).toBe(1_500);
    expect(() => durationMs('10m')).toThrow(/not a duration/);
  });
});
