// io.kestra.plugin.gcp.pubsub.Consume on the Pub/Sub emulator (scripts/services/pubsub-emulator.sh).
import type { PubSub } from '@google-cloud/pubsub';
import { pubsubTasks } from '../../../lib/plugins/gcp/pubsub';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { emulatorHost, pubsubFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(30_000);

const projectId = uniqueProject('consume');
let client: PubSub;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;

beforeAll(() => { client = pubsubFor(projectId); });
afterAll(() => client.close());

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'consume', env: { PUBSUB_EMULATOR_HOST: emulatorHost('PUBSUB_EMULATOR_HOST') } });
});
afterEach(() => world.cleanup());

const def = (name: string) => pubsubTasks.find((t) => t.type === `io.kestra.plugin.gcp.pubsub.${name}`)!;

async function run(ctx: TaskContext, name: string, props: Record<string, unknown>): Promise<any> {
  return def(name).run(ctx, def(name).properties.parse({ projectId, ...props }));
}

async function rows(ctx: TaskContext, uri: string): Promise<Record<string, any>[]> {
  const out: Record<string, any>[] = [];
  for await (const r of ctx.storage.readRows(uri)) out.push(r);
  return out;
}

/** A new topic. */
async function newTopic(): Promise<string> {
  const topic = uniquePrefix('topic');
  await client.createTopic(topic);
  return topic;
}

/** JSON messages published by the Publish task. */
async function publish(topic: string, values: number[]): Promise<void> {
  await run(world.ctx, 'Publish', { topic, serdeType: 'JSON', from: values.map((v) => ({ data: { v }, attributes: { n: String(v) } })) });
}

describe('pubsub.Consume on the Pub/Sub emulator', () => {
  it('creates the subscription, stops at maxRecords, and writes each message once with its data, attributes, id and publish time', async () => {
    const topic = await newTopic();
    const subscription = `${topic}-sub`;
    // The subscription exists before publishing so that it receives the messages.
    expect(await run(world.ctx, 'Consume', { topic, subscription, maxDuration: 'PT0.5S' })).toMatchObject({ count: 0 });
    await publish(topic, [1, 2, 3, 4, 5]);
    const first = await run(world.ctx, 'Consume', { topic, subscription, maxRecords: 3, serdeType: 'JSON' });
    expect(first.count).toBe(3);
    const got = await rows(world.ctx, first.uri);
    expect(got).toHaveLength(3);
    for (const r of got) {
      expect(r).toEqual({ data: { v: expect.any(Number) }, attributes: { n: String(r.data.v) }, messageId: expect.any(String), publishTime: expect.stringMatching(/^\d{4}-.+Z$/) });
    }
    // The three were acknowledged: the rest, and only the rest, come next.
    const second = await run(world.ctx, 'Consume', { topic, subscription, maxRecords: 10, maxDuration: 'PT2S' });
    const rest = await rows(world.ctx, second.uri);
    expect([...got, ...rest].map((r) => (typeof r.data === 'string' ? JSON.parse(r.data).v : r.data.v)).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(rest.every((r) => typeof r.data === 'string')).toBe(true);
  });

  it('acknowledges nothing when the file cannot be stored: the messages are delivered again', async () => {
    const topic = await newTopic();
    const subscription = `${topic}-sub`;
    await run(world.ctx, 'Consume', { topic, subscription, maxDuration: 'PT0.2S' });
    await publish(topic, [7, 8]);
    const storage = Object.assign(Object.create(world.ctx.storage), { writeRows: async () => { throw new Error('disk full'); } });
    const broken = Object.create(world.ctx, { storage: { value: storage } }) as TaskContext;
    await expect(run(broken, 'Consume', { topic, subscription, maxRecords: 2 })).rejects.toThrow('disk full');
    const again = await run(world.ctx, 'Consume', { topic, subscription, maxRecords: 2, maxDuration: 'PT10S', serdeType: 'JSON' });
    expect((await rows(world.ctx, again.uri)).map((r) => r.data.v).sort()).toEqual([7, 8]);
  });

  it('a topic that does not exist fails naming topic, with Google\'s message; a malformed key names serviceAccount without quoting it; neither maxRecords nor maxDuration is refused', async () => {
    await expect(run(world.ctx, 'Consume', { topic: 'no-such-topic', subscription: uniquePrefix('s'), maxRecords: 1 })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'consume', property: 'topic' }, message: expect.stringMatching(/^Consume: subscription '.+' on topic 'no-such-topic' could not be created: Subscription topic does not exist$/),
    });
    const key = '{"type": "service_account", "private_key": "SECRET-1234"';
    const err = await run(world.ctx, 'Consume', { topic: 't', subscription: 's', maxRecords: 1, serviceAccount: key }).catch((e: unknown) => e);
    expect(err).toMatchObject({ location: { property: 'serviceAccount' }, message: 'serviceAccount is not a JSON service account key (it does not parse as JSON)' });
    expect(JSON.stringify(err)).not.toContain('SECRET-1234');
    const parsed = def('Consume').properties.safeParse({ topic: 't', subscription: 's' });
    expect(parsed.error?.issues[0]).toMatchObject({ path: ['maxRecords'], message: "'maxDuration' or 'maxRecords' must be set to avoid an infinite loop" });
  });
});
