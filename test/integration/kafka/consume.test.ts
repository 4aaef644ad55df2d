// io.kestra.plugin.kafka.Consume against librdkafka's mock cluster, fed by Produce and by kcat; AVRO
// through a wire-level fake of the Confluent Schema Registry (fake-schema-registry.ts).
import { fakeTaskContext } from '../../../lib/worker/testing';
import { startFakeSchemaRegistry, type FakeSchemaRegistry } from './fake-schema-registry';
import { committedOffsets, describeWithKafka, kcatWrite, uniqueTopic } from './service';
import { readRows, runTask } from './tasks';

jest.setTimeout(120_000);

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
let registry: FakeSchemaRegistry;
beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'consume' });
  registry = await startFakeSchemaRegistry();
});
afterEach(async () => {
  await registry.close();
  await world.cleanup();
});

const ROW_SCHEMA = JSON.stringify({
  type: 'record', name: 'Row', namespace: 'io.aloft.tests',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: ['null', 'string'] },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 4 } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'big', type: 'long' },
    { name: 'ratio', type: 'double' },
    { name: 'address', type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'int'] }] } },
  ],
});

const KEY_SCHEMA = JSON.stringify({ type: 'record', name: 'Key', fields: [{ name: 'id', type: 'long' }] });

describeWithKafka('Consume on the Kafka mock cluster', () => {
  it('round-trips AVRO keys and values through the fake Confluent Schema Registry with dates, decimals, longs, nulls and nested records intact', async () => {
    const topic = uniqueTopic('avro');
    const rows = [
      { id: 1, name: 'Zoë', price: '12345.6789', day: '2024-01-02', at: '2024-01-02T03:04:05.123Z', big: '9007199254740993', ratio: 0.5, address: { city: 'Lyon', zip: 69001 } },
      { id: 2, name: null, price: '-0.0001', day: '1970-01-01', at: '1999-12-31T23:59:59.999Z', big: -1, ratio: -2.25, address: { city: 'Nantes', zip: null } },
    ];
    const { uri } = await world.ctx.storage.writeRows('in.jsonl', rows.map((value) => ({ key: { id: value.id }, value })));
    const serdeProperties = { 'schema.registry.url': registry.url };
    expect(await runTask(world.ctx, 'Produce', {
      topic, from: uri, serdeProperties, keySerializer: 'AVRO', valueSerializer: 'AVRO', keyAvroSchema: KEY_SCHEMA, valueAvroSchema: ROW_SCHEMA,
    })).toEqual({ messagesCount: 2 });
    expect(registry.requests.filter((r) => r.startsWith('POST')).sort()).toEqual([`POST /subjects/${topic}-key/versions`, `POST /subjects/${topic}-value/versions`]);

    const out = await runTask(world.ctx, 'Consume', { topic, serdeProperties, keyDeserializer: 'AVRO', valueDeserializer: 'AVRO', pollDuration: 'PT3S' });
    expect(out.messagesCount).toBe(2);
    const got = (await readRows(world.ctx, out.uri)).sort((a, b) => Number((a.key as { id: number }).id) - Number((b.key as { id: number }).id));
    expect(got.map((r) => r.key)).toEqual([{ id: 1 }, { id: 2 }]);
    expect(got.map((r) => r.value)).toEqual([
      { id: 1, name: 'Zoë', price: '12345.6789', day: '2024-01-02', at: '2024-01-02T03:04:05.123Z', big: '9007199254740993', ratio: 0.5, address: { city: 'Lyon', zip: 69001 } },
      { id: 2, name: null, price: '-0.0001', day: '1970-01-01', at: '1999-12-31T23:59:59.999Z', big: -1, ratio: -2.25, address: { city: 'Nantes', zip: null } },
    ]);
    expect(got[0]).toMatchObject({ topic, headers: [] });
    expect(Object.keys(got[0])).toEqual(['key', 'value', 'topic', 'partition', 'timestamp', 'offset', 'headers']);
    expect(registry.requests.filter((r) => r.startsWith('GET'))).toHaveLength(2); // one per schema id, then cached
  });

  it('round-trips every other serializer type through Produce and Consume', async () => {
    const cases: [string, unknown][] = [
      ['STRING', 'héllo'], ['INTEGER', -2147483648], ['SHORT', 32767], ['LONG', '9223372036854775807'], ['FLOAT', 1.5], ['DOUBLE', Math.PI],
      ['BYTE_ARRAY', 'AQL/'], ['BYTE_BUFFER', 'AAEC'], ['BYTES', ''], ['UUID', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'], ['VOID', null], ['JSON', { a: [1, 'two', null] }],
    ];
    // In parallel: each Consume spends most of its time joining its group.
    // A task run each, since each Consume writes its own file.
    const got = await Promise.all(cases.map(async ([type, value]) => {
      const own = await fakeTaskContext({ taskId: 'consume' });
      try {
        const topic = uniqueTopic(`serde-${type.toLowerCase()}`);
        await runTask(own.ctx, 'Produce', { topic, from: { key: value, value }, keySerializer: type, valueSerializer: type });
        const out = await runTask(own.ctx, 'Consume', { topic, keyDeserializer: type, valueDeserializer: type, pollDuration: 'PT2S' });
        const [row] = await readRows(own.ctx, out.uri);
        return [type, row.key, row.value];
      } finally {
        await own.cleanup();
      }
    }));
    expect(got).toEqual(cases.map(([type, value]) => [type, value, value]));
  });

  it('reads records kcat produced; with a group, commits only after the file is stored, and the next run starts after them', async () => {
    const topic = uniqueTopic('group');
    await kcatWrite(topic, ['k1\tv1', 'k2\tv2', 'k3\tv3']);
    const groupId = uniqueTopic('g');
    const props = { topic, groupId, properties: { 'bootstrap.servers': process.env.KAFKA_BOOTSTRAP, 'auto.offset.reset': 'earliest' } };
    const first = await runTask(world.ctx, 'Consume', props);
    expect(first.messagesCount).toBe(3);
    expect((await readRows(world.ctx, first.uri)).map((r) => [r.key, r.value]).sort()).toEqual([['k1', 'v1'], ['k2', 'v2'], ['k3', 'v3']]);
    expect((await committedOffsets(groupId, topic)).reduce((a, b) => a + Math.max(b, 0), 0)).toBe(3);

    await kcatWrite(topic, ['k4\tv4']);
    const second = await runTask(world.ctx, 'Consume', props);
    expect((await readRows(world.ctx, second.uri)).map((r) => r.value)).toEqual(['v4']);
  });

  it('without a group reads from the beginning every time, filters on headers and stops at maxRecords', async () => {
    const topic = uniqueTopic('nogroup');
    await runTask(world.ctx, 'Produce', {
      topic, keySerializer: 'STRING', valueSerializer: 'STRING',
      from: [1, 2, 3, 4, 5, 6].map((i) => ({ key: `k${i}`, value: `v${i}`, partition: 0, headers: { kind: i % 2 ? 'odd' : 'even' } })),
    });
    const all = await runTask(world.ctx, 'Consume', { topic, pollDuration: 'PT2S' });
    expect(all.messagesCount).toBe(6);
    const even = await runTask(world.ctx, 'Consume', { topic, pollDuration: 'PT2S', headerFilters: { kind: 'even' } });
    expect((await readRows(world.ctx, even.uri)).map((r) => [r.value, r.headers])).toEqual([
      ['v2', [{ kind: 'even' }]], ['v4', [{ kind: 'even' }]], ['v6', [{ kind: 'even' }]],
    ]);
    const two = await runTask(world.ctx, 'Consume', { topic, pollDuration: 'PT2S', maxRecords: 2 });
    expect((await readRows(world.ctx, two.uri)).map((r) => r.value)).toEqual(['v1', 'v2']);
    const fromFour = await runTask(world.ctx, 'Consume', { topic, pollDuration: 'PT2S', partitions: [0] });
    expect(fromFour.messagesCount).toBe(6);
  });
});
