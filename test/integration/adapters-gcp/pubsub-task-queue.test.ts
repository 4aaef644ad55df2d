// PubSubTaskQueue on the Pub/Sub emulator, beyond the port contract: message size and attributes,
// variables that travel through storage, dead letters with their reason, and the two shapes a worker
// function receives (a push request, and the CloudEvent functions-framework makes of it).
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Message } from '@google-cloud/pubsub';
import { FolderBlobStore } from '../../../lib/adapters/local';
import { PubSubTaskQueue, deadLetterTopicOf, workerTopicOf } from '../../../lib/adapters/gcp/pubsub-task-queue';
import { MAX_MESSAGE_BYTES, decodeCloudEventMessage, decodePushMessage, type DecodedMessage } from '../../../lib/adapters/gcp/pubsub-messages';
import type { WorkerTask } from '../../../lib/model/worker-messages';
import { PLUGIN_GROUPS } from '../../../lib/model/catalog';
import { workerTopic } from '../../../lib/wiring/manifest';
import { pubsubFor, uniquePrefix, uniqueProject } from './emulators';
import { tempDir } from '../../helpers/temp-dirs';

const projectId = uniqueProject('pubsub');
let client: ReturnType<typeof pubsubFor> | undefined;
const pubsub = () => (client ??= pubsubFor(projectId));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await client?.close();
});

const blobs = new FolderBlobStore({ root: join(tempDir('aloft-pubsub-'), 'storage') });

function task(over: Partial<WorkerTask> = {}): WorkerTask {
  return {
    executionId: 'exec1', taskRunId: `run-${randomUUID().slice(0, 8)}`, attempt: 2, taskId: 'ret', type: 'io.kestra.core.tasks.debugs.Return',
    group: 'core', task: { id: 'ret', type: 'io.kestra.core.tasks.debugs.Return', format: '{{ vars.big }}' },
    variables: { flow: { id: 'f', namespace: 'io.aloft.tests' }, vars: { big: 'x' } }, ...over,
  };
}

function queueWithLog() {
  const logs: Array<Record<string, unknown>> = [];
  const queue = new PubSubTaskQueue({ pubsub: pubsub(), blobs, topicPrefix: uniquePrefix('q'), ensureResources: true, log: (e) => logs.push(e) });
  return { queue, logs };
}

/** Raw messages as they sit on a subscription, without the queue's decoding. */
function collect(subscription: string): { messages: Message[]; close(): Promise<void> } {
  const messages: Message[] = [];
  const sub = pubsub().subscription(subscription);
  sub.on('message', (m: Message) => {
    messages.push(m);
    m.ack();
  });
  return { messages, close: () => sub.close() };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`gave up waiting for ${what}`);
}

describe('PubSubTaskQueue on the emulator', () => {
  it('names topics as functions/manifest.ts does', () => {
    for (const g of PLUGIN_GROUPS) expect(workerTopicOf(g)).toBe(workerTopic(g));
  });

  it('publishes a task as JSON with executionId, taskRunId and attempt attributes', async () => {
    const { queue } = queueWithLog();
    await queue.prepare('core');
    const raw = collect(queue.subscriptionNameOf(queue.topicName('core')));
    const t = task();
    await queue.publish(t);
    await until(() => raw.messages.length > 0, 'the message');
    await raw.close();
    const m = raw.messages[0];
    expect(m.attributes).toMatchObject({ executionId: 'exec1', taskRunId: t.taskRunId, attempt: '2', group: 'core' });
    expect(JSON.parse(m.data.toString())).toEqual(t);
  });

  it('moves variables that would make the message larger than 256 KB to storage and loads them back for the handler', async () => {
    const { queue } = queueWithLog();
    await queue.prepare('core');
    const big = 'é'.repeat(200 * 1024); // 400 KB in UTF-8
    const t = task({ variables: { flow: { id: 'f', namespace: 'io.aloft.tests' }, vars: { big } } });
    const raw = collect(queue.subscriptionNameOf(queue.topicName('core')));
    await queue.publish(t);
    await until(() => raw.messages.length > 0, 'the raw message');
    await raw.close();
    const onWire = raw.messages[0];
    expect(onWire.data.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const slim = JSON.parse(onWire.data.toString()) as WorkerTask;
    expect(slim.variables).toEqual({});
    expect(slim.variablesUri).toBe(`kestra:///io/aloft/tests/f/executions/exec1/messages/${t.taskRunId}-2-variables.json`);

    // The same message, delivered to a subscriber, arrives as it was published.
    await queue.publish(t);
    const got: WorkerTask[] = [];
    const sub = await queue.subscribe('core', async (x) => { got.push(x); });
    await until(() => got.length > 0, 'the delivery');
    await sub.close();
    expect(got[0]).toEqual(t);
  });

  it('dead-letters a message whose variables file is gone, with its reason, and logs a structured error', async () => {
    const { queue, logs } = queueWithLog();
    await queue.prepare('core');
    const dead = collect(queue.subscriptionNameOf(deadLetterTopicOf(queue.topicName('core'))));
    const handled: WorkerTask[] = [];
    const sub = await queue.subscribe('core', async (x) => { handled.push(x); });
    const broken = { ...task(), variables: {}, variablesUri: 'kestra:///io/aloft/tests/f/executions/exec1/messages/missing.json' };
    await queue.publishRaw('core', JSON.stringify(broken), { executionId: 'exec1', taskRunId: broken.taskRunId });
    await until(() => dead.messages.length > 0, 'the dead letter');
    await Promise.all([sub.close(), dead.close()]);
    expect(handled).toEqual([]);
    expect(dead.messages[0].attributes).toMatchObject({ executionId: 'exec1', group: 'core', sourceTopic: queue.topicName('core') });
    expect(dead.messages[0].attributes.reason).toContain('missing.json');
    expect(logs).toContainEqual(expect.objectContaining({
      severity: 'ERROR', message: expect.stringContaining('dead-lettered'),
      'logging.googleapis.com/labels': { executionId: 'exec1', taskRunId: broken.taskRunId },
    }));
  });

  it('decodes what the emulator pushes to an HTTP endpoint', async () => {
    const { queue } = queueWithLog();
    await queue.prepare('core');
    const received: DecodedMessage[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(decodePushMessage(Buffer.concat(chunks)));
        res.writeHead(204).end();
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await pubsub().topic(queue.topicName('core')).createSubscription(`${queue.topicName('core')}-push`, { pushEndpoint: `http://127.0.0.1:${port}/` });
    const t = task();
    await queue.publish(t);
    await queue.publishRaw('core', 'not json');
    await until(() => received.length >= 2, 'two pushes');
    await pubsub().subscription(`${queue.topicName('core')}-push`).delete();
    const ok = received.find((d) => d.ok);
    expect(ok).toMatchObject({ ok: true, task: t, attributes: { executionId: 'exec1', taskRunId: t.taskRunId, attempt: '2' } });
    expect(ok?.messageId).toEqual(expect.any(String));
    expect(received.find((d) => !d.ok)).toMatchObject({ ok: false, data: 'not json', reason: expect.stringMatching(/not JSON/) });
  });

  it('decodes the CloudEvent functions-framework makes of a push from the emulator', async () => {
    const { queue } = queueWithLog();
    await queue.prepare('core');
    const received: DecodedMessage[] = [];
    const fn = `workerTest${randomUUID().slice(0, 8)}`;
    functions.cloudEvent(fn, (event: functions.CloudEvent<unknown>) => {
      received.push(decodeCloudEventMessage(event));
    });
    const server = getTestServer(fn);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const push = `${queue.topicName('core')}-ce`;
    // functions-framework reads the topic from the push path, as Eventarc's push endpoints carry it.
    await pubsub().topic(queue.topicName('core')).createSubscription(push, {
      pushEndpoint: `http://127.0.0.1:${port}/projects/${projectId}/topics/${queue.topicName('core')}`,
    });
    const t = task();
    await queue.publish(t);
    await until(() => received.length >= 1, 'the CloudEvent');
    await pubsub().subscription(push).delete();
    expect(received[0]).toMatchObject({ ok: true, task: t, attributes: { executionId: 'exec1', taskRunId: t.taskRunId, attempt: '2' } });
  });
});
