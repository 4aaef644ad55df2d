// Pub/Sub triggers on the emulator: `aloft server` subscribes to the trigger's topic, starts one
// execution per message, and dead-letters a message its flow refuses without stopping.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../../lib/model/execution';
import { LocalServer } from '../../../lib/wiring/local-server';
import { emulatorPubSubSource } from '../../../lib/wiring/pubsub-triggers';

// Loading the Google client and creating topics on the emulator take seconds on a shared machine.
jest.setTimeout(60_000);

const HOST = process.env.PUBSUB_EMULATOR_HOST;
const PROJECT = `aloft-it-${randomUUID().slice(0, 8)}`;
const NS = 'io.aloft.pubsub';

async function rest(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`http://${HOST}/v1/projects/${PROJECT}/${path}`, {
    method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const publish = (topic: string, data: string, attributes: Record<string, string> = {}) =>
  rest('POST', `topics/${topic}:publish`, { messages: [{ data: Buffer.from(data).toString('base64'), attributes }] }).then((r) => r.messageIds[0] as string);

async function until<T>(what: string, get: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 1500; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('Pub/Sub triggers on the emulator', () => {
  let server: LocalServer;
  let dataDir: string;
  const topic = `orders-${randomUUID().slice(0, 8)}`;
  const subscription = `aloft.${NS}.orders.on-order`;

  beforeAll(async () => {
    if (!HOST) throw new Error('PUBSUB_EMULATOR_HOST is not set: run `bash scripts/services/pubsub-emulator.sh start` and load .aloft/run/pubsub-emulator.env');
    dataDir = mkdtempSync(join(tmpdir(), 'aloft-pubsub-it-'));
    server = new LocalServer({
      env: { ALOFT_DATA_DIR: dataDir, PUBSUB_EMULATOR_HOST: HOST, GOOGLE_CLOUD_PROJECT: PROJECT, ALOFT_SCHEDULER_INTERVAL_MS: '0' },
      port: 0, pubsubSource: emulatorPubSubSource,
    });
    await server.listen();
    await server.deploy(`id: orders
namespace: ${NS}
inputs:
  - name: order
    type: INT
tasks:
  - id: seen
    type: io.kestra.core.tasks.debugs.Return
    format: "order {{ inputs.order }} from {{ trigger.attributes.source }}"
triggers:
  - id: on-order
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    topic: ${topic}
    serdeType: JSON
    inputs:
      order: "{{ trigger.data.id }}"
`);
    // Watch the dead-letter topic before anything is rejected.
    await rest('PUT', `topics/${subscription}-dead-letter`).catch(() => undefined);
    await rest('PUT', `subscriptions/watch-dead-letters`, { topic: `projects/${PROJECT}/topics/${subscription}-dead-letter` });
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const executionFor = (messageId: string) => until(`the execution of message ${messageId}`, async () => {
    const page = await server.runtime.store.list({ namespace: NS, flowId: 'orders', pageSize: 1000 });
    return page.executions.find((e: Execution) => e.trigger?.variables.messageId === messageId);
  });

  it('starts one execution per message with data, attributes, messageId and publishTime', async () => {
    const id = await publish(topic, JSON.stringify({ id: 42 }), { source: 'shop' });
    const started = await executionFor(id);
    const done = await server.runtime.waitForEnd(started.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.inputs).toEqual({ order: 42 });
    expect(done.trigger).toMatchObject({
      id: 'on-order', type: 'io.kestra.plugin.gcp.pubsub.RealtimeTrigger',
      variables: { data: { id: 42 }, attributes: { source: 'shop' }, messageId: id, publishTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    });
    expect(done.taskRunList[0].outputs).toEqual({ value: 'order 42 from shop' });
  });

  it('dead-letters a message invalid for the flow inputs, with the reason, and carries on', async () => {
    const bad = await publish(topic, JSON.stringify({ id: 'not-a-number' }));
    const notJson = await publish(topic, 'plain text');
    const good = await publish(topic, JSON.stringify({ id: 7 }), { source: 'after' });
    expect((await executionFor(good)).inputs).toEqual({ order: 7 });
    const letters = await until('two dead letters', () => (server.deadLetters().length >= 2 ? server.deadLetters() : undefined));
    expect(letters.find((l) => l.messageId === bad)?.reason).toMatch(/message .* rejected by io\.aloft\.pubsub\.orders trigger on-order: .*order/);
    expect(letters.find((l) => l.messageId === notJson)?.reason).toMatch(/is not JSON/);
    // A pull may return fewer messages than are waiting: gather them across pulls.
    const received: Array<{ message: { attributes: Record<string, string> } }> = [];
    const pulled = await until('the dead-letter messages', async () => {
      const r = await rest('POST', 'subscriptions/watch-dead-letters:pull', { maxMessages: 10, returnImmediately: true });
      received.push(...(r.receivedMessages ?? []));
      return received.length >= 2 ? received : undefined;
    });
    const ids = pulled.map((m) => m.message.attributes['aloft-message-id']).sort();
    expect(ids).toEqual([bad, notJson].sort());
    expect(pulled[0].message.attributes['aloft-reason']).toMatch(/rejected by io\.aloft\.pubsub\.orders/);
  });

  it('stops the subscription when the flow is deleted', async () => {
    await server.service.flows.delete(NS, 'orders', { force: true });
    const id = await publish(topic, JSON.stringify({ id: 1 }));
    // Nobody consumes the trigger's subscription any more: the message waits there for another reader.
    await until('the message left on the subscription', async () => {
      const r = await rest('POST', `subscriptions/${subscription}:pull`, { maxMessages: 10, returnImmediately: true });
      return (r.receivedMessages ?? []).some((m: { message: { messageId: string } }) => m.message.messageId === id) ? true : undefined;
    });
    const page = await server.runtime.store.list({ namespace: NS, flowId: 'orders', pageSize: 1000 });
    expect(page.executions.find((e) => e.trigger?.variables.messageId === id)).toBeUndefined();
  });
});
