// The PROTOBUF serde on librdkafka's mock cluster, through the wire-level fake of the Confluent Schema
// Registry: a flow that produces and consumes Protobuf keys and values, records another producer wrote
// with a nested message and a schema reference, and bad input (a value that does not fit, a registry
// answering 500) that leaves the consumer group's committed offsets where they were.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { outputOf, runFlowFile } from '../../helpers/local-run';
import { startFakeSchemaRegistry, type FakeSchemaRegistry } from './fake-schema-registry';
import { committedOffsets, describeWithKafka, KAFKA_BOOTSTRAP, kcatRead, uniqueTopic } from './service';
import { readRows, runTask } from './tasks';

jest.setTimeout(120_000);

const ORDER = `syntax = "proto3";
package shop.v1;
import "google/protobuf/timestamp.proto";

enum Status { UNKNOWN = 0; PAID = 1; SHIPPED = 2; }

message Order {
  int64 id = 1;
  string customer = 2;
  Status status = 3;
  google.protobuf.Timestamp created = 4;
  Address address = 5;
  repeated string tags = 6;
  message Address { string city = 1; string zip = 2; }
}`;
const KEY = 'syntax = "proto3";\nmessage OrderKey { int64 id = 1; }';

const indent = (text: string, by: string): string => text.split('\n').map((l) => `${by}${l}`).join('\n');

const FLOW = `
id: kafka-protobuf
namespace: io.aloft.tests
tasks:
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
    serdeProperties:
      schema.registry.url: "{{ envs.registry_url }}"
    topic: "{{ envs.kafka_topic }}"
    from:
      - key: {"id": "9007199254740993"}
        value:
          id: "9007199254740993"
          customer: "{{ flow.id }}"
          status: SHIPPED
          created: "2024-01-02T03:04:05.123456Z"
          address: {"city": "Paris", "zip": "75002"}
          tags: [a, b]
      - key: {"id": 2}
        value: {"id": 2, "status": 1}
    keySerializer: PROTOBUF
    valueSerializer: PROTOBUF
    keyProtobufSchema: |
${indent(KEY, '      ')}
    valueProtobufSchema: |
${indent(ORDER, '      ')}
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    serdeProperties:
      schema.registry.url: "{{ envs.registry_url }}"
    topic: "{{ envs.kafka_topic }}"
    groupId: "{{ envs.kafka_topic }}-group"
    keyDeserializer: PROTOBUF
    valueDeserializer: PROTOBUF
    pollDuration: PT3S
`;

let dir: string;
let registry: FakeSchemaRegistry;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aloft-kafka-protobuf-'));
  registry = await startFakeSchemaRegistry();
  world = await fakeTaskContext({ taskId: 'kafka' });
});
afterEach(async () => {
  await world.cleanup();
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const register = async (subject: string, body: Record<string, unknown>): Promise<number> => {
  const res = await fetch(`${registry.url}/subjects/${subject}/versions`, {
    method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { id: number }).id;
};

describeWithKafka('the PROTOBUF serde on the Kafka mock cluster', () => {
  it('a flow produces Protobuf keys and values, registered as PROTOBUF, and consumes them back as rows', async () => {
    const topic = uniqueTopic('protobuf');
    const file = join(dir, 'kafka-protobuf.yml');
    writeFileSync(file, FLOW);
    const { execution } = await runFlowFile(file, {
      runtime: { env: { ALOFT_DATA_DIR: dir, ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP, ENV_KAFKA_TOPIC: topic, ENV_REGISTRY_URL: registry.url } },
    });
    const errors = execution.taskRunList.map((r) => [r.taskId, r.state.current, r.error?.message]).filter(([, s]) => s !== 'SUCCESS');
    expect([execution.state.current, errors]).toEqual(['SUCCESS', []]);
    expect(outputOf(execution, 'produce')).toEqual({ messagesCount: 2 });

    // One subject per part, each holding the schema as written, typed PROTOBUF.
    expect(registry.requests.filter((r) => r.startsWith('POST')).sort()).toEqual([`POST /subjects/${topic}-key/versions`, `POST /subjects/${topic}-value/versions`]);
    expect([...registry.schemaTypes.values()]).toEqual(['PROTOBUF', 'PROTOBUF']);
    expect([...registry.schemas.values()].sort()).toEqual([KEY, ORDER].sort());

    const uri = String(outputOf(execution, 'consume')!.uri).replace('kestra:///', '');
    const rows = readFileSync(join(dir, 'storage', uri), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.key, r.value]).sort((a, b) => a[0].id === 2 ? -1 : b[0].id === 2 ? 1 : 0)).toEqual([
      [{ id: 2 }, { id: 2, customer: '', status: 'PAID', created: null, address: null, tags: [] }],
      [{ id: '9007199254740993' }, {
        id: '9007199254740993', customer: 'kafka-protobuf', status: 'SHIPPED', created: '2024-01-02T03:04:05.123456Z',
        address: { city: 'Paris', zip: '75002' }, tags: ['a', 'b'],
      }],
    ]);
  });

  it('reads records in Confluent\'s wire format that another producer wrote: a nested message by its index path, a schema with a reference', async () => {
    const topic = uniqueTopic('protobuf-foreign');
    const money = 'syntax = "proto3";\npackage common;\nmessage Money { string currency = 1; int64 units = 2; }';
    const main = 'syntax = "proto3";\nimport "common/money.proto";\nmessage Invoice { string number = 1; message Line { string sku = 1; common.Money price = 2; } }';
    await register('common%2Fmoney.proto', { schemaType: 'PROTOBUF', schema: money });
    const id = await register(`${topic}-value`, { schemaType: 'PROTOBUF', schema: main, references: [{ name: 'common/money.proto', subject: 'common/money.proto', version: 1 }] });
    // Invoice.Line { sku: "x-1", price { currency: "EUR", units: 12 } } at index path [0, 0]: count 2, then 0, 0.
    const line = Buffer.concat([Buffer.from([0, 0, 0, 0, id, 4, 0, 0]), Buffer.from('0a03782d311207 0a03455552100c'.replace(/ /g, ''), 'hex')]);
    await runTask(world.ctx, 'Produce', { topic, keySerializer: 'STRING', valueSerializer: 'BYTES', from: { key: 'l', value: line.toString('base64') } });

    const out = await runTask(world.ctx, 'Consume', { topic, valueDeserializer: 'PROTOBUF', serdeProperties: { 'schema.registry.url': registry.url }, pollDuration: 'PT2S' });
    expect((await readRows(world.ctx, out.uri)).map((r) => r.value)).toEqual([{ sku: 'x-1', price: { currency: 'EUR', units: 12 } }]);
    expect(registry.requests).toEqual(expect.arrayContaining([`GET /schemas/ids/${id}`, 'GET /subjects/common%2Fmoney.proto/versions/1']));
  });

  it('a record that does not fit its Protobuf schema fails Produce naming the line of the file and the field, and sends nothing after it', async () => {
    const topic = uniqueTopic('protobuf-bad');
    const { uri } = await world.ctx.storage.writeRows('orders.jsonl', [
      { key: 'a', value: { id: 1, address: { city: 'Paris' } } },
      { key: 'b', value: { id: 2, address: { city: 'Lyon', zip: ['69001'] } } },
      { key: 'c', value: { id: 3, status: 'LOST' } },
    ]);
    await expect(runTask(world.ctx, 'Produce', {
      topic, from: uri, keySerializer: 'STRING', valueSerializer: 'PROTOBUF', valueProtobufSchema: ORDER, serdeProperties: { 'schema.registry.url': registry.url },
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: `line 2 of ${uri}: the value field address.zip does not fit PROTOBUF: cannot convert ["69001"] to string` });
    // Without a transaction the line before may already be on the topic (as errors.test.ts says for AVRO).
    expect((await kcatRead(topic).catch(() => [])).map((m) => m.key).filter((k) => k !== 'a')).toEqual([]);
  });

  it('a schema the registry finds incompatible with the subject\'s latest fails Produce with its answer, and sends nothing', async () => {
    const topic = uniqueTopic('protobuf-compat');
    const props = { topic, keySerializer: 'STRING', valueSerializer: 'PROTOBUF', serdeProperties: { 'schema.registry.url': registry.url } };
    await runTask(world.ctx, 'Produce', { ...props, valueProtobufSchema: ORDER, from: { key: 'a', value: { id: 1 } } });
    // Field 1 was an int64: as a string, old records would no longer read.
    const changed = ORDER.replace('int64 id = 1;', 'string id = 1;');
    await expect(runTask(world.ctx, 'Produce', { ...props, valueProtobufSchema: changed, from: { key: 'b', value: { id: 'two' } } })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'serdeProperties' },
      message: `schema registry ${registry.url}: POST /subjects/${topic}-value/versions answered 409: Schema being registered is incompatible with an earlier schema for subject "${topic}-value"`,
    });
    // A new field is compatible, and registered as the subject's second version.
    await runTask(world.ctx, 'Produce', { ...props, valueProtobufSchema: ORDER.replace('repeated string tags = 6;', 'repeated string tags = 6;\n  string channel = 7;'), from: { key: 'c', value: { id: 3, channel: 'web' } } });
    expect((await kcatRead(topic)).map((m) => m.key).sort()).toEqual(['a', 'c']);
    expect(registry.schemas.size).toBe(2);
  });

  it('a schema registry that answers 500 fails Produce, and fails Consume without committing the group', async () => {
    const topic = uniqueTopic('protobuf-500');
    const serdeProperties = { 'schema.registry.url': registry.url };
    const props = { topic, keySerializer: 'STRING', valueSerializer: 'PROTOBUF', valueProtobufSchema: ORDER, serdeProperties };
    registry.failing = true;
    await expect(runTask(world.ctx, 'Produce', { ...props, from: { key: 'a', value: { id: 1 } } })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'serdeProperties' },
      message: `schema registry ${registry.url}: POST /subjects/${topic}-value/versions answered 500: Error in the backend data store`,
    });

    registry.failing = false;
    await runTask(world.ctx, 'Produce', { ...props, from: [{ key: 'a', value: { id: 1 } }, { key: 'b', value: { id: 2 } }] });
    registry.failing = true;
    const groupId = uniqueTopic('g');
    await expect(runTask(world.ctx, 'Consume', {
      properties: { 'bootstrap.servers': KAFKA_BOOTSTRAP, 'auto.offset.reset': 'earliest' }, topic, groupId, valueDeserializer: 'PROTOBUF', serdeProperties,
    })).rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/^schema registry http:\/\/127\.0\.0\.1:\d+: GET \/schemas\/ids\/1 answered 500/) });
    expect(await committedOffsets(groupId, topic)).toEqual([-1, -1, -1, -1]);

    // Once the registry answers again, the same group reads both records: none was lost.
    registry.failing = false;
    const out = await runTask(world.ctx, 'Consume', {
      properties: { 'bootstrap.servers': KAFKA_BOOTSTRAP, 'auto.offset.reset': 'earliest' }, topic, groupId, valueDeserializer: 'PROTOBUF', serdeProperties, pollDuration: 'PT2S',
    });
    expect((await readRows(world.ctx, out.uri)).map((r) => (r.value as { id: number }).id).sort()).toEqual([1, 2]);
  });
});
