// The polling Kafka Trigger on `aloft server` against librdkafka's mock cluster: a pass whose slot is
// due consumes a batch in the trigger's group, stores it under the execution it starts, then commits.
import { text } from 'node:stream/consumers';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startServer, type Harness } from '../../e2e/server-harness';
import { startFakeSchemaRegistry } from './fake-schema-registry';
import { committedOffsets, describeWithKafka, KAFKA_BOOTSTRAP, kcatWrite, uniqueTopic } from './service';
import { runTask } from './tasks';

jest.setTimeout(180_000);

const NS = 'io.aloft.kafka';

const flow = (topic: string, group: string): string => `id: on-batch
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.messagesCount }} in {{ trigger.uri }}"
triggers:
  - id: batch
    type: io.kestra.plugin.kafka.Trigger
    interval: PT1M
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${group}
    valueDeserializer: JSON
    pollDuration: PT2S
`;

const sum = (offsets: number[]): number => offsets.reduce((s, o) => s + Math.max(o, 0), 0);

describeWithKafka('the polling Kafka Trigger on aloft server', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.stop(); h = undefined; });

  it('starts one execution per non-empty batch with trigger.messagesCount and trigger.uri, once per interval, and commits after', async () => {
    const topic = uniqueTopic('poll');
    const group = `${topic}-group`;
    h = await startServer({ env: { ALOFT_SCHEDULER_INTERVAL_MS: '0', ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow(topic, group) })).status).toBe(200);
    await kcatWrite(topic, Array.from({ length: 5 }, (_, i) => `k${i}\t{"n": ${i}}`));

    const at = new Date('2026-01-01T10:00:30Z');
    const [started, ...more] = await h.server.poll(at);
    expect(more).toEqual([]);
    const ended = await h.server.runtime.waitForEnd(started.id);
    expect(ended.state.current).toBe('SUCCESS');
    expect(ended.trigger).toMatchObject({ id: 'batch', type: 'io.kestra.plugin.kafka.Trigger', variables: { messagesCount: 5 } });
    const uri = ended.trigger!.variables.uri as string;
    expect(uri).toMatch(new RegExp(`^kestra:///io/aloft/kafka/on-batch/executions/${started.id}/`));
    const rows = (await text(await h.server.runtime.blobs.get(uri))).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => r.value.n).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(sum(await committedOffsets(group, topic))).toBe(5);

    // The same slot again (a second scheduler invocation) polls nothing; the next slot finds no new record.
    expect(await h.server.poll(new Date('2026-01-01T10:00:50Z'))).toEqual([]);
    expect(await h.server.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
    await kcatWrite(topic, ['k5\t{"n": 5}']);
    const [next] = await h.server.poll(new Date('2026-01-01T10:02:10Z'));
    expect((await h.server.runtime.waitForEnd(next.id)).trigger?.variables.messagesCount).toBe(1);
    expect(sum(await committedOffsets(group, topic))).toBe(6);
  });

  it('stores the same bytes Consume writes for the same records: a JSON value as its own text, with an AVRO key too', async () => {
    const topic = uniqueTopic('poll-exact');
    const registry = await startFakeSchemaRegistry();
    const world = await fakeTaskContext({ taskId: 'consume' });
    try {
      const serdeProperties = { 'schema.registry.url': registry.url };
      // STRING writes the JSON text as it is: a long beyond 2^53, a spelled-out decimal and line breaks.
      const values = ['{"id": 12345678901234567890, "price": 1.50}', '{\n  "id": 9007199254740993,\n  "tags": ["a\\nb"]\n}'];
      await runTask(world.ctx, 'Produce', {
        topic, serdeProperties, keySerializer: 'AVRO', keyAvroSchema: JSON.stringify({ type: 'record', name: 'K', fields: [{ name: 'id', type: 'long' }] }),
        valueSerializer: 'STRING', from: values.map((value, i) => ({ key: { id: i }, value, partition: 0 })),
      });
      const yaml = `${flow(topic, `${topic}-group`)}    keyDeserializer: AVRO
    serdeProperties:
      schema.registry.url: ${registry.url}
`;
      h = await startServer({ env: { ALOFT_SCHEDULER_INTERVAL_MS: '0', ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
      expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
      const [started] = await h.server.poll(new Date('2026-01-01T10:00:30Z'));
      const ended = await h.server.runtime.waitForEnd(started.id);
      expect(ended.trigger?.variables.messagesCount).toBe(2);
      const stored = await text(await h.server.runtime.blobs.get(ended.trigger!.variables.uri as string));

      const consumed = await runTask(world.ctx, 'Consume', { topic, serdeProperties, keyDeserializer: 'AVRO', valueDeserializer: 'JSON', pollDuration: 'PT2S' });
      expect(stored).toBe(await text(await world.ctx.storage.get(consumed.uri)));
      expect(stored.split('\n').map((l) => /"value":(.*),"topic"/.exec(l)?.[1])).toEqual([
        '{"id": 12345678901234567890, "price": 1.50}', '{   "id": 9007199254740993,   "tags": ["a\\nb"] }', undefined,
      ]);
    } finally {
      await world.cleanup();
      await registry.close();
    }
  });

  it('reports an unreachable broker naming the trigger and flow, and starts nothing', async () => {
    h = await startServer({ env: { ALOFT_SCHEDULER_INTERVAL_MS: '0', ENV_KAFKA_BOOTSTRAP: '127.0.0.1:1' } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow('nowhere', 'nowhere-group') })).status).toBe(200);
    expect(await h.server.poll(new Date('2026-01-01T10:00:00Z'))).toEqual([]);
    expect(h.logs).toContainEqual(expect.objectContaining({
      severity: 'ERROR', trigger: 'batch', message: expect.stringContaining('Kafka trigger batch of io.aloft.kafka.on-batch: cannot consume from Kafka at 127.0.0.1:1'),
    }));
  });
});
