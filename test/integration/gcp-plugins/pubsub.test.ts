// io.kestra.plugin.gcp.pubsub.Publish on the Pub/Sub emulator (scripts/services/pubsub-emulator.sh).
import type { Message as Received, PubSub } from '@google-cloud/pubsub';
import { pubsubTasks } from '../../../lib/plugins/gcp/pubsub';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { emulatorHost, pubsubFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(30_000);

const projectId = uniqueProject('publish');
let client: PubSub;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;

beforeAll(() => { client = pubsubFor(projectId); });
afterAll(() => client.close());

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'publish', env: { PUBSUB_EMULATOR_HOST: emulatorHost('PUBSUB_EMULATOR_HOST') } });
});
afterEach(() => world.cleanup());

async function run(ctx: TaskContext, props: Record<string, unknown>): Promise<any> {
  const def = pubsubTasks[0];
  return def.run(ctx, def.properties.parse({ projectId, ...props }));
}

/** A topic with a subscription, and a way to receive `n` messages from it. */
async function topicWithSubscription(): Promise<{ topic: string; receive(n: number): Promise<Received[]> }> {
  const name = uniquePrefix('topic');
  const [topic] = await client.createTopic(name);
  const [sub] = await topic.createSubscription(`${name}-sub`, { enableMessageOrdering: true });
  return {
    topic: name,
    receive: (n) => new Promise((resolve) => {
      const got: Received[] = [];
      sub.on('message', (m: Received) => {
        m.ack();
        got.push(m);
        if (got.length === n) void sub.close().then(() => resolve(got));
      });
    }),
  };
}

describe('pubsub.Publish on the Pub/Sub emulator', () => {
  it('publishes a list of messages: string data as is, JSON data serialised, with attributes and an ordering key', async () => {
    const t = await topicWithSubscription();
    const out = await run(world.ctx, {
      topic: t.topic, serdeType: 'JSON',
      from: [{ data: 'plain text', attributes: { kind: 'text' } }, { data: { a: 1, b: ['x'] }, orderingKey: 'k1' }, { attributes: { only: 'attrs' } }],
    });
    expect(out).toEqual({ messagesCount: 3 });
    const got = (await t.receive(3)).map((m) => ({ data: m.data.toString(), attributes: m.attributes, orderingKey: m.orderingKey ?? '' }));
    expect(got.sort((a, b) => a.data.localeCompare(b.data))).toEqual([
      { data: '', attributes: { only: 'attrs' }, orderingKey: '' },
      { data: '{"a":1,"b":["x"]}', attributes: {}, orderingKey: 'k1' },
      { data: 'plain text', attributes: { kind: 'text' }, orderingKey: '' },
    ]);
  });

  it('publishes every message of a kestra:// JSON Lines file', async () => {
    const t = await topicWithSubscription();
    const file = await world.ctx.storage.writeRows('messages.jsonl', Array.from({ length: 250 }, (_, i) => ({ data: `m${i}`, orderingKey: 'one' })));
    expect(await run(world.ctx, { topic: t.topic, from: file.uri })).toEqual({ messagesCount: 250 });
    const got = await t.receive(250);
    expect(got.map((m) => m.data.toString())).toEqual(Array.from({ length: 250 }, (_, i) => `m${i}`));
  });

  it('a line that is not a message fails naming the task, the property and the line', async () => {
    const t = await topicWithSubscription();
    const file = await world.ctx.storage.writeRows('bad.jsonl', [{ data: 'ok' }, { payload: 'x' }]);
    await expect(run(world.ctx, { topic: t.topic, from: file.uri })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'publish', property: 'from' }, message: expect.stringMatching(/^line 2 of 'kestra:.+bad\.jsonl' is not a message/),
    });
  });

  it('a topic that does not exist fails with the task, the property and Google\'s message', async () => {
    await expect(run(world.ctx, { topic: 'no-such-topic', from: { data: 'x' } })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'publish', property: 'topic' }, message: expect.stringMatching(/^Publish to 'no-such-topic' failed: .*(not found|NOT_FOUND)/i),
    });
  });
});
