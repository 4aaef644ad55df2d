// Bad input to the Kafka tasks on librdkafka's mock cluster: each fails with a clear error, and a
// consumer group's committed offsets stay where they were.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkValue } from '../../../lib/model/flow-zod';
import { kafkaTasks } from '../../../lib/plugins/kafka';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startFakeSchemaRegistry, type FakeSchemaRegistry } from './fake-schema-registry';
import { committedOffsets, describeWithKafka, kcatRead, kcatWrite, uniqueTopic } from './service';
import { readRows, runTask } from './tasks';
import { runFlowFile } from '../../helpers/local-run';
import { LocalRuntime } from '../../../lib/runtime/embedded/runtime';

jest.setTimeout(120_000);

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
let registry: FakeSchemaRegistry;
beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'kafka' });
  registry = await startFakeSchemaRegistry();
});
afterEach(async () => {
  await registry.close();
  await world.cleanup();
});

const SCHEMA = JSON.stringify({
  type: 'record', name: 'Sale', fields: [
    { name: 'id', type: 'long' },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
  ],
});

describeWithKafka('Kafka tasks on bad input', () => {
  it('an unreachable broker fails Produce and Consume, naming the address, and the group commits nothing', async () => {
    const properties = { 'bootstrap.servers': '127.0.0.1:1' };
    await expect(runTask(world.ctx, 'Produce', { properties, topic: 't', from: { value: 'x' }, keySerializer: 'STRING', valueSerializer: 'STRING' }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', location: { property: 'properties' }, message: expect.stringMatching(/^cannot connect to Kafka at 127\.0\.0\.1:1: /) });
    const topic = uniqueTopic('unreachable');
    await kcatWrite(topic, ['k\tv']);
    const groupId = uniqueTopic('g');
    await expect(runTask(world.ctx, 'Consume', { properties, topic, groupId }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', location: { property: 'properties' }, message: expect.stringMatching(/^cannot consume from Kafka at 127\.0\.0\.1:1: /) });
    expect(await committedOffsets(groupId, topic)).toEqual([-1, -1, -1, -1]);
  });

  it('an unknown serializer is refused when the flow is validated, naming the property and the known types', () => {
    const produce = kafkaTasks.find((t) => t.type === 'io.kestra.plugin.kafka.Produce')!;
    const consume = kafkaTasks.find((t) => t.type === 'io.kestra.plugin.kafka.Consume')!;
    const base = { properties: { 'bootstrap.servers': 'b:9092' }, topic: 't' };
    const produceIssues = checkValue(produce.properties, { ...base, from: {}, keySerializer: 'STRNG', valueSerializer: 'JSON' });
    expect(produceIssues.map((i) => i.path)).toEqual([['keySerializer']]);
    expect(produceIssues[0].message).toContain('STRING');
    expect(checkValue(consume.properties, { ...base, valueDeserializer: 'XML' }).map((i) => i.path)).toEqual([['valueDeserializer']]);
  });

  it('an unknown serializer in a flow: refused at deploy naming the line, flow, task and property; when rendered, the task fails so and the group keeps its offsets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-kafka-serde-'));
    try {
      const flow = (deserializer: string) => `id: bad-serde
namespace: io.aloft.tests
variables:
  serde: XML
tasks:
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    topic: "{{ envs.kafka_topic }}"
    groupId: "{{ envs.kafka_topic }}-group"
    valueDeserializer: ${deserializer}
    pollDuration: PT2S
`;
      const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: join(dir, 'deploy') } });
      try {
        await expect(runtime.deploy(flow('XML'), 'bad-serde.yml')).rejects.toMatchObject({
          message: expect.stringMatching(/^bad-serde\.yml:13:24: flow io\.aloft\.tests\.bad-serde, task consume, property tasks\[0\]\.valueDeserializer: expected one of .*"PROTOBUF", got 'XML'/),
        });
      } finally {
        await runtime.stop();
      }

      // A group that has read two records, then a third record it has not read.
      const topic = uniqueTopic('bad-serde');
      await kcatWrite(topic, ['a\tone', 'b\ttwo']);
      await runTask(world.ctx, 'Consume', { topic, groupId: `${topic}-group`, properties: { 'bootstrap.servers': process.env.KAFKA_BOOTSTRAP, 'auto.offset.reset': 'earliest' }, pollDuration: 'PT2S' });
      const before = await committedOffsets(`${topic}-group`, topic);
      expect(before.reduce((a, b) => a + Math.max(b, 0), 0)).toBe(2);
      await kcatWrite(topic, ['c\tthree']);

      const file = join(dir, 'bad-serde.yml');
      writeFileSync(file, flow('"{{ vars.serde }}"'));
      const { execution } = await runFlowFile(file, { runtime: { env: { ALOFT_DATA_DIR: join(dir, 'run'), ENV_KAFKA_BOOTSTRAP: process.env.KAFKA_BOOTSTRAP, ENV_KAFKA_TOPIC: topic } } });
      expect(execution.state.current).toBe('FAILED');
      expect(execution.taskRunList[0].error).toMatchObject({
        code: 'FLOW_INVALID', message: expect.stringMatching(/^invalid properties after rendering: valueDeserializer: .*"PROTOBUF"/),
        flow: 'io.aloft.tests.bad-serde', task: 'consume', property: 'valueDeserializer',
      });
      expect(await committedOffsets(`${topic}-group`, topic)).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record that does not fit its Avro schema fails Produce naming the line of the file and the field, and sends nothing after it', async () => {
    const topic = uniqueTopic('avro-bad');
    const { uri } = await world.ctx.storage.writeRows('sales.jsonl', [
      { key: 's1', value: { id: 1, price: '12.50' } },
      { key: 's2', value: { id: 2, price: 'twelve' } },
      { key: 's3', value: { id: 3, price: '1.00' } },
    ]);
    await expect(runTask(world.ctx, 'Produce', {
      topic, from: uri, keySerializer: 'STRING', valueSerializer: 'AVRO', valueAvroSchema: SCHEMA, serdeProperties: { 'schema.registry.url': registry.url },
      transactional: false,
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(new RegExp(`^line 2 of ${uri}: the value field price does not fit AVRO: `)) });
    // Without a transaction the line before may already be on the topic, as with Kafka's Java producer
    // (transactions.test.ts covers the transactional case); nothing after the failing line is sent.
    expect((await kcatRead(topic).catch(() => [])).map((m) => m.key).filter((k) => k !== 's1')).toEqual([]);
  });

  it('a schema registry that answers 500 fails Produce, and fails Consume without committing the group', async () => {
    const topic = uniqueTopic('registry-500');
    const serdeProperties = { 'schema.registry.url': registry.url };
    const props = { topic, keySerializer: 'STRING', valueSerializer: 'AVRO', valueAvroSchema: SCHEMA, serdeProperties };
    registry.failing = true;
    await expect(runTask(world.ctx, 'Produce', { ...props, from: { key: 'a', value: { id: 1, price: '1.00' } } })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'serdeProperties' },
      message: `schema registry ${registry.url}: POST /subjects/${topic}-value/versions answered 500: Error in the backend data store`,
    });

    registry.failing = false;
    await runTask(world.ctx, 'Produce', { ...props, from: [{ key: 'a', value: { id: 1, price: '1.00' } }, { key: 'b', value: { id: 2, price: '2.00' } }] });
    registry.failing = true;
    const groupId = uniqueTopic('g');
    await expect(runTask(world.ctx, 'Consume', {
      properties: { 'bootstrap.servers': process.env.KAFKA_BOOTSTRAP, 'auto.offset.reset': 'earliest' }, topic, groupId, valueDeserializer: 'AVRO', serdeProperties,
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/^schema registry http:\/\/127\.0\.0\.1:\d+: GET \/schemas\/ids\/1 answered 500/) });
    expect(await committedOffsets(groupId, topic)).toEqual([-1, -1, -1, -1]);
  });

  it('a record that cannot be deserialized fails Consume naming its offset; with onSerdeError SKIPPED it is left out and the rest is read', async () => {
    const topic = uniqueTopic('serde-error');
    await runTask(world.ctx, 'Produce', {
      topic, keySerializer: 'STRING', valueSerializer: 'STRING', from: [{ value: '{"n":1}', partition: 0 }, { value: 'not json', partition: 0 }, { value: '{"n":3}', partition: 0 }],
    });
    await expect(runTask(world.ctx, 'Consume', { topic, valueDeserializer: 'JSON', pollDuration: 'PT2S' })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'valueDeserializer' },
      message: expect.stringMatching(new RegExp(`^the record at offset 1 of ${topic} partition 0 cannot be deserialized: JSON: `)),
    });
    const out = await runTask(world.ctx, 'Consume', { topic, valueDeserializer: 'JSON', pollDuration: 'PT2S', onSerdeError: { type: 'SKIPPED' } });
    expect((await readRows(world.ctx, out.uri)).map((r) => r.value)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('onSerdeError STORE writes the record with its raw value as text, and DLQ sends it to the dead-letter topic', async () => {
    const topic = uniqueTopic('serde-store');
    const dlq = uniqueTopic('dlq');
    await runTask(world.ctx, 'Produce', {
      topic, keySerializer: 'STRING', valueSerializer: 'STRING', from: [{ key: 'a', value: '{"n":1}', partition: 0 }, { key: 'b', value: 'not json', partition: 0 }],
    });
    const stored = await runTask(world.ctx, 'Consume', { topic, valueDeserializer: 'JSON', pollDuration: 'PT2S', onSerdeError: { type: 'STORE' } });
    expect((await readRows(world.ctx, stored.uri)).map((r) => [r.key, r.value])).toEqual([['a', { n: 1 }], ['b', 'not json']]);
    const other = await fakeTaskContext({ taskId: 'dlq' });
    try {
      const sent = await runTask(other.ctx, 'Consume', { topic, valueDeserializer: 'JSON', pollDuration: 'PT2S', onSerdeError: { type: 'DLQ', topic: dlq } });
      expect((await readRows(other.ctx, sent.uri)).map((r) => r.key)).toEqual(['a']);
    } finally {
      await other.cleanup();
    }
    expect((await kcatRead(dlq)).map((m) => [m.key, m.payload])).toEqual([['b', 'not json']]);
  });
});
