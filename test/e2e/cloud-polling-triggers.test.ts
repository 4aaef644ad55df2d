// Polling triggers on the emulated cloud (`aloft dev`: Firestore, Pub/Sub and Cloud Storage
// emulators, the functions over HTTP): the `scheduler` function polls the GCS Trigger (on the storage
// emulator), the BigQuery Trigger (on the fake BigQuery, wire protocol) and the Kafka Trigger (on
// librdkafka's mock cluster). An item that arrives starts exactly one execution with the right
// `trigger.*`; later scheduler invocations, which read the trigger state from Firestore, fire none again.
import type { Storage } from '@google-cloud/storage';
import { createStorage } from '../../lib/adapters/gcp/clients';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution } from '../../lib/model/execution';
import { createFlow, waitForExecution } from '../helpers/emulated-cloud';
import { startFakeBigQuery, type FakeBigQuery } from '../helpers/fake-bigquery';
import { describeWithKafka, KAFKA_BOOTSTRAP, kcatWrite, uniqueTopic } from '../integration/kafka/service';

jest.setTimeout(300_000);

const NS = 'test.cloudpolling';
let cloud: EmulatedCloud;
let fake: FakeBigQuery;
let storage: Storage;

beforeAll(async () => {
  fake = await startFakeBigQuery();
  cloud = await startEmulatedCloud({ logSink: () => undefined, schedulerIntervalMs: 0, env: { BIGQUERY_EMULATOR_HOST: fake.endpoint } });
  storage = createStorage({ projectId: cloud.projectId, storageEmulatorHost: cloud.env.STORAGE_EMULATOR_HOST });
});

afterAll(async () => {
  await cloud?.stop();
  await fake?.close();
});

async function executions(flowId: string): Promise<Execution[]> {
  const res = await fetch(`${cloud.apiUrl}/api/v1/executions/search?namespace=${NS}&flowId=${flowId}`);
  return ((await res.json()) as { results: Execution[] }).results;
}

/** Returns once the wall clock is in a later one-second slot than when called: the next tick polls again. */
async function nextSecond(): Promise<void> {
  const slot = Math.floor(Date.now() / 1000);
  while (Math.floor(Date.now() / 1000) === slot) await new Promise((r) => setTimeout(r, 50));
}

/** Ticks in fresh slots until one tick starts an execution; returns the scheduler's reports. */
async function tickUntilPolled(times = 5): Promise<number> {
  for (let i = 0; i < times; i++) {
    await nextSecond();
    const report = await cloud.tick();
    expect(report.errors).toEqual([]);
    if (report.polled > 0) return report.polled;
  }
  return 0;
}

const flow = (id: string, trigger: string): string => `id: ${id}
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: done
triggers:
  - id: watch
    interval: PT1S
${trigger}`;

describe('polling triggers on the emulated cloud', () => {
  it('GCS Trigger: a new object starts one execution with trigger.blobs, copied into internal storage; the next invocations start none', async () => {
    // The functions' own bucket, under a folder of the test's.
    const bucket = cloud.bucket;
    await createFlow(cloud.apiUrl, flow('on-files', `    type: io.kestra.plugin.gcp.gcs.Trigger
    from: gs://${bucket}/in/
    action: NONE
`));
    await storage.bucket(bucket).file('in/a.csv').save('a1');
    expect(await tickUntilPolled()).toBe(1);
    const [started, ...more] = await executions('on-files');
    expect(more).toEqual([]);
    const run = await waitForExecution(cloud.apiUrl, started.id);
    expect(run.state.current).toBe('SUCCESS');
    expect(run.trigger).toMatchObject({
      id: 'watch', type: 'io.kestra.plugin.gcp.gcs.Trigger',
      variables: { blobs: [expect.objectContaining({ bucket, name: 'in/a.csv', uri: expect.stringMatching(new RegExp(`^kestra:///test/cloudpolling/on-files/executions/${run.id}/`)) })] },
    });
    for (let i = 0; i < 2; i++) {
      await nextSecond();
      expect((await cloud.tick()).polled).toBe(0);
    }
    await storage.bucket(bucket).file('in/b.csv').save('b1');
    expect(await tickUntilPolled()).toBe(1);
    const all = await executions('on-files');
    expect(all).toHaveLength(2);
    const second = all.find((e) => e.id !== run.id)!;
    expect((second.trigger!.variables.blobs as Array<{ name: string }>).map((b) => b.name)).toEqual(['in/b.csv']);
  });

  it('BigQuery Trigger: a query that returns rows starts one execution with trigger.rows and size', async () => {
    const sql = 'SELECT id FROM crm.cloud_new';
    fake.queries.set(sql, { fields: [{ name: 'id', type: 'INTEGER' }], rows: [{ id: 7 }] });
    await createFlow(cloud.apiUrl, flow('on-rows', `    type: io.kestra.plugin.gcp.bigquery.Trigger
    projectId: ${cloud.projectId}
    sql: ${sql}
    fetch: true
`));
    expect(await tickUntilPolled()).toBe(1);
    // The rows are consumed: the query now returns none, and later invocations start nothing.
    fake.queries.set(sql, { fields: [{ name: 'id', type: 'INTEGER' }], rows: [] });
    const [started, ...more] = await executions('on-rows');
    expect(more).toEqual([]);
    const run = await waitForExecution(cloud.apiUrl, started.id);
    expect(run.state.current).toBe('SUCCESS');
    expect(run.trigger).toMatchObject({ id: 'watch', type: 'io.kestra.plugin.gcp.bigquery.Trigger', variables: { size: 1, rows: [{ id: 7 }] } });
    await nextSecond();
    expect((await cloud.tick()).polled).toBe(0);
    expect(await executions('on-rows')).toHaveLength(1);
  });
});

describeWithKafka('the Kafka triggers on the emulated cloud', () => {
  it('a batch starts one execution with trigger.messagesCount and trigger.uri; the committed group starts none again', async () => {
    const topic = uniqueTopic('cloud-polling');
    await createFlow(cloud.apiUrl, flow('on-batch', `    type: io.kestra.plugin.kafka.Trigger
    properties:
      bootstrap.servers: "${KAFKA_BOOTSTRAP}"
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${topic}-group
    pollDuration: PT2S
`));
    await kcatWrite(topic, ['a\tone', 'b\ttwo']);
    expect(await tickUntilPolled()).toBe(1);
    const [started] = await executions('on-batch');
    const run = await waitForExecution(cloud.apiUrl, started.id);
    expect(run.trigger).toMatchObject({ id: 'watch', variables: { messagesCount: 2, uri: expect.stringContaining(`/executions/${run.id}/`) } });
    await nextSecond();
    expect((await cloud.tick()).polled).toBe(0);
    expect(await executions('on-batch')).toHaveLength(1);
  });

  it('a RealtimeTrigger starts one execution per record on a tick, with its trigger.key and value; the next tick starts none', async () => {
    const topic = uniqueTopic('cloud-realtime');
    await createFlow(cloud.apiUrl, `id: on-record
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.value }}"
triggers:
  - id: each
    type: io.kestra.plugin.kafka.RealtimeTrigger
    properties:
      bootstrap.servers: "${KAFKA_BOOTSTRAP}"
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${topic}-group
`);
    await kcatWrite(topic, ['a\tone', 'b\ttwo']);
    expect((await cloud.tick()).errors).toEqual([]);
    const runs = await Promise.all((await executions('on-record')).map((e) => waitForExecution(cloud.apiUrl, e.id)));
    expect(runs.map((r) => [r.trigger?.variables.key, r.trigger?.variables.value, r.state.current]).sort()).toEqual([['a', 'one', 'SUCCESS'], ['b', 'two', 'SUCCESS']]);
    expect((await cloud.tick()).errors).toEqual([]);
    expect(await executions('on-record')).toHaveLength(2);
  });
});
