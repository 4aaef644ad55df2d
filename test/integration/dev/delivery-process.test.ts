// The emulated cloud's delivery process (lib/dev/delivery-process.ts): a child that relays executor
// events and pushes a subscription of the Pub/Sub emulator started by scripts/services/pubsub-emulator.sh,
// to endpoints on loopback that record what they get.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PubSubAdmin } from '../../../lib/dev/admin';
import { startDeliveryProcess, type DeliveryProcess } from '../../../lib/dev/delivery-process';
import { freePort } from '../../../lib/dev/processes';
import { emulatorHost, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(120_000);

const projectId = uniqueProject('delivery');
const dir = mkdtempSync(join(tmpdir(), 'aloft-delivery-'));
const servers: Server[] = [];
const children: DeliveryProcess[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An endpoint on loopback that answers 204 and records each request's path and body. */
async function endpoint(): Promise<{ url: string; got: Array<{ path: string; body: string }> }> {
  const got: Array<{ path: string; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString() });
      res.writeHead(204);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen`);
}

describe('the delivery process of the emulated cloud', () => {
  it('relays executor events and pushes subscription messages from its own process, and stops by its pid', async () => {
    const host = emulatorHost('PUBSUB_EMULATOR_HOST');
    const admin = new PubSubAdmin(host, projectId);
    const topic = `${uniquePrefix('t')}topic`;
    await admin.createTopic(topic);
    await admin.createTopic(`${topic}-dead-letter`);
    await admin.createPushSubscription({ name: `${topic}-push`, topic, deadLetterTopic: `${topic}-dead-letter`, maxDeliveryAttempts: 5, minimumBackoff: '0.1s', maximumBackoff: '0.4s', ackDeadlineSeconds: 600 });
    const executor = await endpoint();
    const worker = await endpoint();
    const relayPort = await freePort();
    const child = await startDeliveryProcess({
      relay: { port: relayPort, target: executor.url },
      pushes: [{ host, projectId, subscription: `${topic}-push`, pushEndpoint: `${worker.url}/push`, minimumBackoffMs: 100, maximumBackoffMs: 400 }],
    }, dir, () => undefined);
    children.push(child);
    expect(child.pid).not.toBe(process.pid);

    const res = await fetch(`http://127.0.0.1:${relayPort}/functions/projects/p/triggers/executor`, {
      method: 'POST', headers: { 'content-type': 'application/protobuf', 'ce-id': 'e1' }, body: 'CoQB',
    });
    expect(res.status).toBe(204);
    await until('the relayed event', () => executor.got.length > 0);
    expect(executor.got[0]).toEqual({ path: '/functions/projects/p/triggers/executor', body: 'CoQB' });

    await admin.publish(topic, [{ data: 'task', attributes: { executionId: 'e1' } }]);
    await until('the push', () => worker.got.length > 0);
    expect(worker.got[0].path).toBe('/push');
    expect(Buffer.from(String(JSON.parse(worker.got[0].body).message.data), 'base64').toString()).toBe('task');

    const pid = child.pid;
    await child.stop();
    expect(alive(pid)).toBe(false);
    // Acknowledged before the child exited: nothing is left to pull.
    expect(await admin.pull(`${topic}-push`)).toEqual([]);
  });

  it('starts a child that died again, and says so in the log', async () => {
    const logs: Array<[string, string]> = [];
    const executor = await endpoint();
    const relayPort = await freePort();
    const child = await startDeliveryProcess({ relay: { port: relayPort, target: executor.url }, pushes: [] }, dir, (severity, message) => logs.push([severity, message]));
    children.push(child);
    const first = child.pid;
    process.kill(first, 'SIGKILL');
    await until('a new child', () => child.pid !== first);
    expect(logs[0]).toEqual(['ERROR', expect.stringMatching(/^the event delivery process exited \(SIGKILL\); starting it again/)]);
    // The new child relays on the same port.
    await until('the relay', () => alive(child.pid));
    for (let i = 0; i < 100 && executor.got.length === 0; i++) {
      await fetch(`http://127.0.0.1:${relayPort}/e`, { method: 'POST', body: 'x' }).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(executor.got[0]?.body).toBe('x');
  });

  it('passes the child\'s warnings to the parent\'s log', async () => {
    const logs: Array<[string, string]> = [];
    const child = await startDeliveryProcess({
      pushes: [{
        host: emulatorHost('PUBSUB_EMULATOR_HOST'), projectId, subscription: `${uniquePrefix('missing')}sub`, pushEndpoint: 'http://127.0.0.1:9/push',
        minimumBackoffMs: 100, maximumBackoffMs: 400,
      }],
    }, dir, (severity, message) => logs.push([severity, message]));
    children.push(child);
    await until('a warning about the missing subscription', () => logs.length > 0);
    expect(logs[0][0]).toBe('WARNING');
    expect(logs[0][1]).toMatch(/^push delivery missing\w+sub: /);
  });
});
