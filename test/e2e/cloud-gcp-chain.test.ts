// The chain of issue 15 on the emulated cloud (`aloft dev`: the functions over HTTP, Firestore, Pub/Sub
// and Cloud Storage emulators): PostgreSQL Query (store) -> BigQuery Load -> BigQuery Query (store) on
// the fake BigQuery (wire protocol) -> GCS Upload; the scheduler function's GCS Trigger starts a second
// flow with the file, which it moves and announces with Pub/Sub Publish; the pubsub-trigger function
// starts a third flow with that message, which downloads the moved file. Outputs are checked at each step.
// Needs scripts/services/postgres.sh (`scripts/with-services.sh postgres -- npx jest ...`).
import type { Storage } from '@google-cloud/storage';
import { createStorage } from '../../lib/adapters/gcp/clients';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import type { Execution } from '../../lib/model/execution';
import { createFlow, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { startFakeBigQuery, type FakeBigQuery } from '../helpers/fake-bigquery';
import { postgres, type TestDatabase } from '../integration/jdbc/databases';

jest.setTimeout(300_000);

const NS = 'test.cloudchain';
const TOPIC = 'chain-exports';
let cloud: EmulatedCloud;
let fake: FakeBigQuery;
let db: TestDatabase;
let storage: Storage;

beforeAll(async () => {
  fake = await startFakeBigQuery();
  db = await postgres('cloudchain');
  await db.sql('CREATE TABLE customers (id int PRIMARY KEY, name text)');
  await db.sql("INSERT INTO customers SELECT i, 'customer-' || i FROM generate_series(1, 30) AS i");
  cloud = await startEmulatedCloud({
    logSink: () => undefined, schedulerIntervalMs: 0, pubsubTriggerTopics: [TOPIC], env: { BIGQUERY_EMULATOR_HOST: fake.endpoint },
  });
  fake.createDataset(cloud.projectId, 'crm');
  storage = createStorage({ projectId: cloud.projectId, storageEmulatorHost: cloud.env.STORAGE_EMULATOR_HOST });
});

afterAll(async () => {
  await cloud?.stop();
  await fake?.close();
  await db?.drop();
});

const exportFlow = (): string => `id: export
namespace: ${NS}
tasks:
  - id: extract
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: ${db.url}
    username: ${db.username}
    password: "${db.password}"
    sql: SELECT id, name FROM customers ORDER BY id
    store: true
  - id: load
    type: io.kestra.plugin.gcp.bigquery.Load
    projectId: ${cloud.projectId}
    from: "{{ outputs.extract.uri }}"
    destinationTable: crm.customers
    format: JSON
    schema:
      fields:
        - name: id
          type: INTEGER
        - name: name
          type: STRING
  - id: query
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: ${cloud.projectId}
    sql: SELECT * FROM ${cloud.projectId}.crm.customers
    store: true
  - id: upload
    type: io.kestra.plugin.gcp.gcs.Upload
    from: "{{ outputs.query.uri }}"
    to: gs://${cloud.bucket}/incoming/customers.jsonl
`;

const announceFlow = (): string => `id: announce
namespace: ${NS}
tasks:
  - id: publish
    type: io.kestra.plugin.gcp.pubsub.Publish
    topic: ${TOPIC}
    serdeType: JSON
    from:
      data:
        file: "{{ trigger.blobs[0].name }}"
        size: "{{ trigger.blobs[0].size }}"
triggers:
  - id: on-file
    type: io.kestra.plugin.gcp.gcs.Trigger
    interval: PT1S
    from: gs://${cloud.bucket}/incoming/
    action: MOVE
    moveDirectory: gs://${cloud.bucket}/done/
`;

const importFlow = (): string => `id: import
namespace: ${NS}
tasks:
  - id: download
    type: io.kestra.plugin.gcp.gcs.Download
    from: "gs://${cloud.bucket}/done/{{ trigger.data.file | replace({'incoming/': ''}) }}"
  - id: summary
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.data.size }} bytes from {{ trigger.data.file }}"
triggers:
  - id: on-export
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    topic: ${TOPIC}
    serdeType: JSON
`;

async function executions(flowId: string): Promise<Execution[]> {
  const res = await fetch(`${cloud.apiUrl}/api/v1/executions/search?namespace=${NS}&flowId=${flowId}`);
  return ((await res.json()) as { results: Execution[] }).results;
}

/** The one execution of `flowId`, once some function has started it (polled, as a user's client would). */
async function startedOnce(flowId: string): Promise<Execution> {
  for (let i = 0; i < 1200; i++) {
    const found = await executions(flowId);
    if (found.length > 0) {
      expect(found).toHaveLength(1);
      return waitForExecution(cloud.apiUrl, found[0].id);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no execution of ${NS}.${flowId} was started`);
}

/** Ticks the scheduler function in fresh one-second slots until one tick starts an execution. */
async function tickUntilPolled(times = 10): Promise<number> {
  for (let i = 0; i < times; i++) {
    const slot = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === slot) await new Promise((r) => setTimeout(r, 50));
    const report = await cloud.tick();
    expect(report.errors).toEqual([]);
    if (report.polled > 0) return report.polled;
  }
  return 0;
}

const outputOf = (e: Execution, taskId: string): Record<string, unknown> | undefined => e.taskRunList.find((r) => r.taskId === taskId)?.outputs;

/** A file of an execution, through the api function's storage route. */
async function fileOf(e: Execution, uri: unknown): Promise<string> {
  const res = await fetch(`${cloud.apiUrl}/api/v1/executions/${e.id}/file?path=${encodeURIComponent(String(uri))}`);
  expect(res.status).toBe(200);
  return res.text();
}

const rowsOf = (text: string): Array<{ id: number; name: string }> => text.trim().split('\n').map((l) => JSON.parse(l) as { id: number; name: string });
const errorsOf = (e: Execution): unknown[] => e.taskRunList.map((r) => r.error).filter(Boolean);

describe('PostgreSQL -> BigQuery -> GCS -> GCS Trigger -> Pub/Sub -> a flow started by the message, on the emulated cloud', () => {
  it('carries 30 rows through every function, checking each step\'s outputs', async () => {
    await createFlow(cloud.apiUrl, importFlow());
    await createFlow(cloud.apiUrl, announceFlow());
    await createFlow(cloud.apiUrl, exportFlow());

    const exported = await waitForExecution(cloud.apiUrl, (await startExecution(cloud.apiUrl, NS, 'export')).id);
    // Errors are part of the expectation so that a failure shows its reason.
    expect({ state: exported.state.current, errors: errorsOf(exported) }).toEqual({ state: 'SUCCESS', errors: [] });
    expect(outputOf(exported, 'extract')).toMatchObject({ size: 30, uri: expect.stringMatching(/^kestra:\/\/\/test\/cloudchain\/export\/executions\//) });
    expect(outputOf(exported, 'load')).toEqual({ jobId: expect.stringMatching(/^kestra_/), destinationTable: `${cloud.projectId}.crm.customers`, rows: 30 });
    expect(fake.tableRows(cloud.projectId, 'crm', 'customers')).toHaveLength(30);
    expect(outputOf(exported, 'query')).toMatchObject({ size: 30, jobId: expect.stringMatching(/^kestra_/), uri: expect.stringMatching(/result\.jsonl$/) });
    expect(outputOf(exported, 'upload')).toEqual({ uri: `gs://${cloud.bucket}/incoming/customers.jsonl` });
    const stored = await fileOf(exported, outputOf(exported, 'query')?.uri);
    expect(rowsOf(stored)).toHaveLength(30);

    // The scheduler function polls the GCS Trigger: the uploaded file starts one `announce` execution.
    expect(await tickUntilPolled()).toBe(1);
    const announced = await startedOnce('announce');
    expect({ state: announced.state.current, errors: errorsOf(announced) }).toEqual({ state: 'SUCCESS', errors: [] });
    const [blob] = announced.trigger!.variables.blobs as Array<{ name: string; size: number; uri: string }>;
    expect(blob).toMatchObject({ bucket: cloud.bucket, name: 'incoming/customers.jsonl', uri: expect.stringMatching(new RegExp(`^kestra:///test/cloudchain/announce/executions/${announced.id}/`)) });
    expect(await fileOf(announced, blob.uri)).toBe(stored);
    expect(outputOf(announced, 'publish')).toEqual({ messagesCount: 1 });
    // action MOVE: the file left `incoming/` for `done/`, so the next polls start nothing.
    const [[moved], [left]] = await Promise.all([
      storage.bucket(cloud.bucket).file('done/customers.jsonl').exists(), storage.bucket(cloud.bucket).file('incoming/customers.jsonl').exists(),
    ]);
    expect({ moved, left }).toEqual({ moved: true, left: false });

    // The pubsub-trigger function starts `import` with the message.
    const imported = await startedOnce('import');
    expect({ state: imported.state.current, errors: errorsOf(imported) }).toEqual({ state: 'SUCCESS', errors: [] });
    expect(imported.trigger).toMatchObject({ id: 'on-export', variables: { data: { file: 'incoming/customers.jsonl', size: Buffer.byteLength(stored) } } });
    expect(outputOf(imported, 'download')).toMatchObject({ bucket: cloud.bucket, uri: expect.stringMatching(/customers\.jsonl$/) });
    expect(outputOf(imported, 'summary')).toEqual({ value: `${Buffer.byteLength(stored)} bytes from incoming/customers.jsonl` });
    const rows = rowsOf(await fileOf(imported, outputOf(imported, 'download')?.uri));
    expect(rows).toHaveLength(30);
    expect(rows[29]).toEqual({ id: 30, name: 'customer-30' });

    await new Promise((r) => setTimeout(r, 1000));
    expect((await cloud.tick()).polled).toBe(0);
    expect(await executions('announce')).toHaveLength(1);
  });
});
