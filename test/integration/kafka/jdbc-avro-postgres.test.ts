// The issue's chain on the embedded runtime: PostgreSQL Query (store) → records shaped by a node script
// → Produce AVRO through the schema registry (a wire-level fake on loopback) → Consume from the mock
// cluster → the values unwrapped → Batch into another PostgreSQL table. Every column type must arrive
// as it left: dates, timestamps, decimals beyond a double, nulls, a nested record (a jsonb column).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outputOf, runFlowFile, runsOf } from '../../helpers/local-run';
import { postgres, type TestDatabase } from '../jdbc/databases';
import { startFakeSchemaRegistry, type FakeSchemaRegistry } from './fake-schema-registry';
import { describeWithKafka, KAFKA_BOOTSTRAP, kcatRead, uniqueTopic } from './service';

jest.setTimeout(180_000);

const COLUMNS = `id BIGINT PRIMARY KEY, customer TEXT, amount NUMERIC(30,6), ordered_on DATE, created TIMESTAMP(6),
  paid_at TIMESTAMPTZ(3), active BOOLEAN, score DOUBLE PRECISION, address JSONB, note TEXT,
  starts TIME(6), ref UUID, avatar BYTEA, tags TEXT[], qty INTEGER, ratio REAL`;

const SCHEMA = {
  type: 'record', name: 'Order', namespace: 'io.aloft.e2e', fields: [
    { name: 'id', type: 'long' },
    { name: 'customer', type: ['null', 'string'] },
    { name: 'amount', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 6 }] },
    { name: 'ordered_on', type: ['null', { type: 'int', logicalType: 'date' }] },
    { name: 'created', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    { name: 'paid_at', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }] },
    { name: 'active', type: ['null', 'boolean'] },
    { name: 'score', type: ['null', 'double'] },
    {
      name: 'address', type: ['null', {
        type: 'record', name: 'Address', fields: [
          { name: 'street', type: 'string' },
          { name: 'city', type: 'string' },
          { name: 'zip', type: ['null', 'string'] },
          { name: 'geo', type: { type: 'record', name: 'Geo', fields: [{ name: 'lat', type: 'double' }, { name: 'lon', type: 'double' }] } },
        ],
      }],
    },
    { name: 'note', type: ['null', 'string'] },
    { name: 'starts', type: ['null', { type: 'long', logicalType: 'time-micros' }] },
    { name: 'ref', type: ['null', { type: 'string', logicalType: 'uuid' }] },
    { name: 'avatar', type: ['null', 'bytes'] },
    { name: 'tags', type: ['null', { type: 'array', items: 'string' }] },
    { name: 'qty', type: ['null', 'int'] },
    { name: 'ratio', type: ['null', 'float'] },
  ],
};

// Each script reads one JSON Lines file and writes another, one line at a time.
const shape = (fn: string): string => `const fs = require('fs');
const out = fs.readFileSync('in.jsonl', 'utf8').split('\\n').filter(Boolean).map((l) => JSON.stringify((${fn})(JSON.parse(l))));
fs.writeFileSync('out.jsonl', out.map((l) => l + '\\n').join(''));`;

const flow = (schema: string) => `
id: jdbc-avro-postgres
namespace: io.aloft.tests
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: "{{ envs.pg_url }}"
    username: "{{ envs.pg_user }}"
    password: "{{ envs.pg_password }}"
    sql: select * from source_orders order by id
    store: true
  - id: records
    type: io.kestra.plugin.scripts.node.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      in.jsonl: "{{ outputs.query.uri }}"
    outputFiles: [out.jsonl]
    script: |
${shape('(row) => ({ key: String(row.id), value: row })').split('\n').map((l) => `      ${l}`).join('\n')}
  - id: produce
    type: io.kestra.plugin.kafka.Produce
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
    serdeProperties:
      schema.registry.url: "{{ envs.registry_url }}"
    topic: "{{ envs.kafka_topic }}"
    from: "{{ outputs.records.outputFiles['out.jsonl'] }}"
    keySerializer: STRING
    valueSerializer: AVRO
    valueAvroSchema: '${schema}'
  - id: consume
    type: io.kestra.plugin.kafka.Consume
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    serdeProperties:
      schema.registry.url: "{{ envs.registry_url }}"
    topic: "{{ envs.kafka_topic }}"
    groupId: "{{ envs.kafka_topic }}-group"
    valueDeserializer: AVRO
    pollDuration: PT3S
  - id: values
    type: io.kestra.plugin.scripts.node.Script
    taskRunner:
      type: io.kestra.plugin.core.runner.Process
    inputFiles:
      in.jsonl: "{{ outputs.consume.uri }}"
    outputFiles: [out.jsonl]
    script: |
${shape('(message) => message.value').split('\n').map((l) => `      ${l}`).join('\n')}
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Batch
    url: "{{ envs.pg_url }}"
    username: "{{ envs.pg_user }}"
    password: "{{ envs.pg_password }}"
    from: "{{ outputs.values.outputFiles['out.jsonl'] }}"
    sql: insert into target_orders values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
`;

let dir: string;
let pg: TestDatabase;
let registry: FakeSchemaRegistry;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aloft-kafka-jdbc-'));
  registry = await startFakeSchemaRegistry();
});
afterEach(async () => {
  await registry?.close();
  await pg?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describeWithKafka('JDBC Query → Kafka AVRO → Consume → JDBC Batch on the embedded runtime', () => {
  it('moves every row from one PostgreSQL table to another through the topic with every type intact', async () => {
    pg = await postgres('kafka_avro');
    await pg.sql(`CREATE TABLE source_orders (${COLUMNS})`);
    await pg.sql(`CREATE TABLE target_orders (${COLUMNS})`);
    await pg.sql(`INSERT INTO source_orders VALUES
      (9007199254740993, 'Zoë O''Brien', 123456789012345678901234.123456, '1990-05-06', '2024-01-02 03:04:05.123456',
       '2024-01-02 03:04:05.789+02', true, 1.5, '{"street": "1 Rue de la Paix", "city": "Paris", "zip": null, "geo": {"lat": 48.8686, "lon": 2.3315}}', 'first',
       '23:59:59.999999', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102ff'::bytea, ARRAY['x', 'y, z'], 2147483647, 0.5),
      (2, NULL, -0.000001, '1969-12-31', '1900-01-01 00:00:00', '2038-01-19 03:14:08+00', false, -0.25,
       '{"street": "2 Main St", "city": "Springfield", "zip": "12345", "geo": {"lat": -1, "lon": 0}}', '',
       '00:00:00', NULL, ''::bytea, ARRAY[]::text[], -1, -1.25),
      (3, 'nulls', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`);
    const topic = uniqueTopic('jdbc-avro');
    const file = join(dir, 'jdbc-avro-postgres.yml');
    writeFileSync(file, flow(JSON.stringify(SCHEMA)));
    const u = new URL(process.env.ALOFT_TEST_PG_URL!);
    const { execution } = await runFlowFile(file, {
      runtime: {
        env: {
          ALOFT_DATA_DIR: dir, ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP, ENV_KAFKA_TOPIC: topic, ENV_REGISTRY_URL: registry.url,
          ENV_PG_URL: pg.url, ENV_PG_USER: decodeURIComponent(u.username), ENV_PG_PASSWORD: decodeURIComponent(u.password),
        },
      },
    });
    const errors = execution.taskRunList.map((r) => [r.taskId, r.state.current, r.error?.message]).filter(([, s]) => s !== 'SUCCESS');
    expect([execution.state.current, errors]).toEqual(['SUCCESS', []]);
    expect(outputOf(execution, 'produce')).toEqual({ messagesCount: 3 });
    expect(outputOf(execution, 'consume')).toMatchObject({ messagesCount: 3 });
    expect(outputOf(execution, 'load')).toEqual({ rowCount: 3, updatedCount: 3 });
    expect(runsOf(execution, 'load')).toHaveLength(1);

    // What Consume wrote: Avro's logical types as the row files carry them (ISO text, decimals as text,
    // a long beyond 2^53 as text), the nested record as a map.
    const consumed = String(outputOf(execution, 'consume')!.uri).replace('kestra:///', '');
    const rows = readFileSync(join(dir, 'storage', consumed), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(rows.find((r) => r.key === '9007199254740993').value).toEqual({
      id: '9007199254740993', customer: 'Zoë O\'Brien', amount: '123456789012345678901234.123456', ordered_on: '1990-05-06',
      created: '2024-01-02T03:04:05.123456Z', paid_at: '2024-01-02T01:04:05.789Z', active: true, score: 1.5,
      address: { street: '1 Rue de la Paix', city: 'Paris', zip: null, geo: { lat: 48.8686, lon: 2.3315 } }, note: 'first',
      starts: '23:59:59.999999', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', avatar: 'AQL/', tags: ['x', 'y, z'], qty: 2147483647, ratio: 0.5,
    });

    expect(rows.find((r) => r.key === '2').value).toMatchObject({ note: '', avatar: '', tags: [] });

    // The records on the topic are Avro in Confluent's wire format, under the schema the registry holds.
    const onTopic = await kcatRead(topic);
    expect(onTopic).toHaveLength(3);
    expect(registry.requests).toContain(`POST /subjects/${topic}-value/versions`);
    expect(JSON.parse(registry.schemas.get(1)!)).toEqual(SCHEMA);

    // Both tables compared as PostgreSQL prints them, which shows every digit and every microsecond.
    const text = `SELECT id::text, customer, amount::text, ordered_on::text, created::text, to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') AS paid_at_utc,
      active, score, address::text, note, starts::text, ref::text, encode(avatar, 'hex') AS avatar, tags, qty, ratio FROM %s ORDER BY id`;
    const source = await pg.sql(text.replace('%s', 'source_orders'));
    const target = await pg.sql(text.replace('%s', 'target_orders'));
    expect(target).toEqual(source);
    expect(target.map((r) => r.amount)).toEqual(['-0.000001', null, '123456789012345678901234.123456']);
    expect(target.map((r) => r.created)).toEqual(['1900-01-01 00:00:00', null, '2024-01-02 03:04:05.123456']);
    expect(target[2]).toEqual({
      id: '9007199254740993', customer: 'Zoë O\'Brien', amount: '123456789012345678901234.123456', ordered_on: '1990-05-06',
      created: '2024-01-02 03:04:05.123456', paid_at_utc: '2024-01-02 01:04:05.789', active: true, score: 1.5,
      address: '{"geo": {"lat": 48.8686, "lon": 2.3315}, "zip": null, "city": "Paris", "street": "1 Rue de la Paix"}', note: 'first',
      starts: '23:59:59.999999', ref: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', avatar: '0102ff', tags: ['x', 'y, z'], qty: 2147483647, ratio: 0.5,
    });
    expect(target[1]).toEqual({
      id: '3', customer: 'nulls', amount: null, ordered_on: null, created: null, paid_at_utc: null, active: null, score: null, address: null, note: null,
      starts: null, ref: null, avatar: null, tags: null, qty: null, ratio: null,
    });
    // Empty text and empty bytes stay empty: only a null is null.
    expect(target[0]).toMatchObject({ note: '', starts: '00:00:00', avatar: '', tags: [], qty: -1, ratio: -1.25 });
  });
});
