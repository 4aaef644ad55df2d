// The chain of issue 15 on the embedded runtime (`aloft server` with Pub/Sub triggers): PostgreSQL Query
// (store) -> BigQuery Load -> BigQuery Query (store) on the fake BigQuery (wire protocol) -> GCS Upload on
// the storage emulator; the GCS Trigger (polled by the server's scheduler) starts a second flow with the
// file, which it moves and announces with Pub/Sub Publish on the Pub/Sub emulator; a third flow, started
// by that message, downloads the moved file. Outputs are checked at each step.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Execution } from '../../../lib/model/execution';
import { LocalServer } from '../../../lib/wiring/local-server';
import { emulatorPubSubSource } from '../../../lib/wiring/pubsub-triggers';
import { outputOf } from '../../helpers/local-run';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { emulatorHost, pubsubFor, storageFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';
import { postgres, type TestDatabase } from '../jdbc/databases';

jest.setTimeout(90_000);

const projectId = uniqueProject('chain');
const topic = uniquePrefix('exports');
const dir = `gs://aloft-gcp-chain/${uniquePrefix('run')}`;
const NS = 'io.aloft.chain';

let fake: FakeBigQuery;
let db: TestDatabase;
let server: LocalServer;
let dataDir: string;

const exportFlow = (d: TestDatabase) => `
id: export
namespace: ${NS}
tasks:
  - id: extract
    type: io.kestra.plugin.jdbc.postgresql.Query
    url: ${d.url}
    username: ${d.username}
    password: "${d.password}"
    sql: SELECT id, name FROM customers ORDER BY id
    store: true
  - id: load
    type: io.kestra.plugin.gcp.bigquery.Load
    projectId: ${projectId}
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
    projectId: ${projectId}
    sql: SELECT * FROM ${projectId}.crm.customers
    store: true
  - id: upload
    type: io.kestra.plugin.gcp.gcs.Upload
    projectId: ${projectId}
    from: "{{ outputs.query.uri }}"
    to: ${dir}/incoming/customers.jsonl
`;

const ANNOUNCE_FLOW = `
id: announce
namespace: ${NS}
tasks:
  - id: publish
    type: io.kestra.plugin.gcp.pubsub.Publish
    projectId: ${projectId}
    topic: ${topic}
    serdeType: JSON
    from:
      data:
        uri: "${dir}/done/{{ trigger.blobs[0].name | split('/') | last }}"
        size: "{{ trigger.blobs[0].size }}"
triggers:
  - id: on-file
    type: io.kestra.plugin.gcp.gcs.Trigger
    projectId: ${projectId}
    interval: PT1M
    from: ${dir}/incoming/
    action: MOVE
    moveDirectory: ${dir}/done/
`;

const IMPORT_FLOW = `
id: import
namespace: ${NS}
tasks:
  - id: download
    type: io.kestra.plugin.gcp.gcs.Download
    projectId: ${projectId}
    from: "{{ trigger.data.uri }}"
  - id: summary
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.data.size }} bytes in {{ outputs.download.path }}"
triggers:
  - id: on-export
    type: io.kestra.plugin.gcp.pubsub.RealtimeTrigger
    projectId: ${projectId}
    topic: ${topic}
    serdeType: JSON
`;

async function until<T>(what: string, get: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const v = await get();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  const pubsub = pubsubFor(projectId);
  await pubsub.createTopic(topic);
  await pubsub.close();
  await storageFor(projectId).bucket('aloft-gcp-chain').create().catch(() => undefined);
  fake = await startFakeBigQuery();
  fake.createDataset(projectId, 'crm');
  db = await postgres('chain');
  await db.sql('CREATE TABLE customers (id int PRIMARY KEY, name text)');
  await db.sql("INSERT INTO customers SELECT i, 'customer-' || i FROM generate_series(1, 30) AS i");
  dataDir = mkdtempSync(join(tmpdir(), 'aloft-gcp-chain-'));
  server = new LocalServer({
    env: {
      ALOFT_DATA_DIR: dataDir, GOOGLE_CLOUD_PROJECT: projectId, ALOFT_SCHEDULER_INTERVAL_MS: '0', BIGQUERY_EMULATOR_HOST: fake.endpoint,
      STORAGE_EMULATOR_HOST: emulatorHost('STORAGE_EMULATOR_HOST'), PUBSUB_EMULATOR_HOST: emulatorHost('PUBSUB_EMULATOR_HOST'),
    },
    port: 0, pubsubSource: emulatorPubSubSource,
  });
  await server.listen();
});

afterAll(async () => {
  await server?.stop();
  await fake?.close();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A file of internal storage, as text. */
async function stored(uri: unknown): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await server.runtime.blobs.get(String(uri))) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('PostgreSQL -> BigQuery -> GCS -> GCS Trigger -> Pub/Sub -> a flow started by the message, on the embedded runtime', () => {
  it('carries 30 rows through every step, checking each step\'s outputs', async () => {
    await server.deploy(IMPORT_FLOW, 'import.yml');
    await server.deploy(ANNOUNCE_FLOW, 'announce.yml');
    await server.triggersSettled();
    const saved = await server.deploy(exportFlow(db), 'export.yml');
    const exported = await server.runtime.waitForEnd((await server.runtime.startExecution({ flow: saved.flow })).id);
    expect(exported.state.current).toBe('SUCCESS');
    expect(outputOf(exported, 'extract')).toMatchObject({ size: 30, uri: expect.stringMatching(/^kestra:\/\//) });
    expect(outputOf(exported, 'load')).toEqual({ jobId: expect.stringMatching(/^kestra_/), destinationTable: `${projectId}.crm.customers`, rows: 30 });
    expect(fake.tableRows(projectId, 'crm', 'customers')).toHaveLength(30);
    expect(outputOf(exported, 'query')).toMatchObject({ size: 30, uri: expect.stringMatching(/result\.jsonl$/) });
    expect(outputOf(exported, 'upload')).toEqual({ uri: `${dir}/incoming/customers.jsonl` });
    const queried = await stored((outputOf(exported, 'query') as { uri: string }).uri);

    // The server's scheduler polls the GCS Trigger: the uploaded file starts one `announce` execution.
    const [fired, ...more] = await server.poll(new Date());
    expect(more).toEqual([]);
    const announced = await server.runtime.waitForEnd(fired.id);
    expect(announced.state.current).toBe('SUCCESS');
    const [blob] = announced.trigger?.variables.blobs as Array<{ name: string; size: number; uri: string }>;
    expect(blob).toMatchObject({ bucket: 'aloft-gcp-chain', name: `${dir.slice('gs://aloft-gcp-chain/'.length)}/incoming/customers.jsonl` });
    expect(await stored(blob.uri)).toBe(queried);
    expect(outputOf(announced, 'publish')).toEqual({ messagesCount: 1 });

    const started = await until('the execution started by the message', async () => {
      const page = await server.runtime.store.list({ namespace: NS, flowId: 'import', pageSize: 10 });
      return page.executions.find((e: Execution) => e.trigger?.id === 'on-export');
    });
    const imported = await server.runtime.waitForEnd(started.id);
    expect(imported.state.current).toBe('SUCCESS');
    const size = Buffer.byteLength(queried);
    expect(imported.trigger?.variables.data).toEqual({ uri: `${dir}/done/customers.jsonl`, size });
    expect(outputOf(imported, 'download')).toMatchObject({ bucket: 'aloft-gcp-chain', uri: expect.stringMatching(/customers\.jsonl$/) });
    expect(outputOf(imported, 'summary')).toEqual({ value: `${size} bytes in ${dir.slice('gs://aloft-gcp-chain/'.length)}/done/customers.jsonl` });
    // The file the third flow downloaded (moved by the trigger) holds the rows the first flow extracted from PostgreSQL.
    const rows = (await stored((outputOf(imported, 'download') as { uri: string }).uri)).trim().split('\n').map((l) => JSON.parse(l) as { id: number; name: string });
    expect(rows).toHaveLength(30);
    expect(rows[29]).toEqual({ id: 30, name: 'customer-30' });
    // Moved: a later poll finds nothing to start.
    expect(await server.poll(new Date(Date.now() + 120_000))).toEqual([]);
  });
});
