// The emulated cloud's push delivery (lib/dev/delivery.ts) on the Pub/Sub emulator started by
// scripts/services/pubsub-emulator.sh, pushing to an endpoint on loopback that records what it gets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PubSubAdmin } from '../../../lib/dev/admin';
import { PushDelivery } from '../../../lib/dev/delivery';
import { emulatorHost, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(60_000);

interface Pushed { at: number; body: { message: Record<string, unknown>; subscription: string; deliveryAttempt?: number } }

const projectId = uniqueProject('push');
const servers: Server[] = [];
const deliveries: PushDelivery[] = [];
afterEach(async () => {
  await Promise.all(deliveries.splice(0).map((d) => d.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); })));
});

/** An endpoint on loopback that answers `status` and records each request's body. */
async function endpoint(status: number): Promise<{ url: string; got: Pushed[] }> {
  const got: Pushed[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(status);
      res.end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`, got };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const got = await probe();
    if (got !== undefined) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen`);
}

/** A topic with a pulled "push" subscription (no endpoint: the delivery pushes) and a dead-letter topic. */
async function wire(admin: PubSubAdmin, maxDeliveryAttempts: number): Promise<{ topic: string; subscription: string; deadLetters: string }> {
  const topic = `${uniquePrefix('t')}topic`;
  const deadLetters = `${topic}-dead-letter`;
  await admin.createTopic(topic);
  await admin.createTopic(deadLetters);
  await admin.createPullSubscription(deadLetters, deadLetters);
  const subscription = `${topic}-push`;
  await admin.createPushSubscription({
    name: subscription, topic, deadLetterTopic: deadLetters, maxDeliveryAttempts, minimumBackoff: '0.1s', maximumBackoff: '0.4s', ackDeadlineSeconds: 600,
  });
  return { topic, subscription, deadLetters };
}

function deliver(host: string, subscription: string, pushEndpoint: string, logs: string[] = []): PushDelivery {
  const d = new PushDelivery({ host, projectId, subscription, pushEndpoint, minimumBackoffMs: 100, maximumBackoffMs: 400, log: (_s, m) => logs.push(m) });
  deliveries.push(d);
  d.start();
  return d;
}

describe('the push delivery of the emulated cloud', () => {
  it('posts each message in the push format and acknowledges it when the endpoint answers 2xx', async () => {
    const host = emulatorHost('PUBSUB_EMULATOR_HOST');
    const admin = new PubSubAdmin(host, projectId);
    const { topic, subscription } = await wire(admin, 5);
    const target = await endpoint(204);
    const logs: string[] = [];
    const delivery = deliver(host, subscription, target.url, logs);
    const [id] = await admin.publish(topic, [{ data: '{"hello":"world"}', attributes: { executionId: 'e1' } }]);
    await until('the push', () => (target.got.length > 0 ? true : undefined));
    const { body } = target.got[0];
    expect(body.subscription).toBe(`projects/${projectId}/subscriptions/${subscription}`);
    expect(body.deliveryAttempt).toBe(1);
    expect(body.message).toMatchObject({ messageId: id, message_id: id, attributes: { executionId: 'e1' } });
    expect(Buffer.from(String(body.message.data), 'base64').toString()).toBe('{"hello":"world"}');
    expect(body.message.publish_time).toBe(body.message.publishTime);
    expect(String(body.message.publishTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    // Acknowledged: nothing is left to pull once the delivery has stopped (and flushed its acks).
    await delivery.stop();
    expect(await admin.pull(subscription)).toEqual([]);
    expect(target.got).toHaveLength(1);
    expect(logs).toEqual([]);
  });

  it('nacks a refused message after the retry backoff until the dead-letter policy moves it to the dead-letter topic', async () => {
    const host = emulatorHost('PUBSUB_EMULATOR_HOST');
    const admin = new PubSubAdmin(host, projectId);
    const { topic, subscription, deadLetters } = await wire(admin, 5);
    const target = await endpoint(500);
    deliver(host, subscription, target.url);
    await admin.publish(topic, [{ data: 'refused', attributes: { origin: 'test' } }]);
    const dead = await until('the dead letter', async () => (await admin.pull(deadLetters)).find((m) => m.attributes.origin === 'test'));
    expect(dead.data).toBe('refused');
    expect(target.got.map((g) => g.body.deliveryAttempt)).toEqual([1, 2, 3, 4, 5]);
    // Each redelivery waited for its backoff: 100 ms doubling, at most 400 ms.
    const waits = target.got.slice(1).map((g, i) => g.at - target.got[i].at);
    [100, 200, 400, 400].forEach((min, i) => expect(waits[i]).toBeGreaterThanOrEqual(min - 5));
  });
});
