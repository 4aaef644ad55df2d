// The BigQuery and GCS polling Triggers on `aloft server` (SQLite data folder), against the fake
// BigQuery (wire protocol, test/helpers/fake-bigquery.ts) and the Cloud Storage emulator: an item
// that arrives starts exactly one execution with the right `trigger.*`, and a restarted server
// neither fires it again nor loses the next one.
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import type { Storage } from '@google-cloud/storage';
import type { Execution } from '../../../lib/model/execution';
import { openDataDir } from '../../../lib/runtime/embedded/data-dir';
import { LocalServer } from '../../../lib/wiring/local-server';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { tempDir } from '../../helpers/temp-dirs';
import { emulatorHost, storageFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(60_000);

const NS = 'io.aloft.polling';
const BUCKET = 'aloft-poll-triggers';
const projectId = uniqueProject('poll');

let fake: FakeBigQuery;
let storage: Storage;
let dataDir: string;
let server: LocalServer | undefined;
let logs: Record<string, unknown>[] = [];

async function open(): Promise<LocalServer> {
  server = new LocalServer({
    env: {
      ALOFT_DATA_DIR: dataDir, ALOFT_SCHEDULER_INTERVAL_MS: '0', GOOGLE_CLOUD_PROJECT: projectId,
      BIGQUERY_EMULATOR_HOST: fake.endpoint, STORAGE_EMULATOR_HOST: emulatorHost('STORAGE_EMULATOR_HOST'),
    },
    port: 0, pubsub: null, kafka: null, log: (l) => { logs.push(l); }, adapters: await openDataDir(join(dataDir, 'data')),
  });
  await server.listen();
  return server;
}

/** Stops the server and opens a new one on the same data folder. */
async function restart(): Promise<LocalServer> {
  await server?.stop();
  return open();
}

const ended = async (s: LocalServer, started: Execution[]): Promise<Execution[]> => Promise.all(started.map((e) => s.runtime.waitForEnd(e.id)));

beforeAll(async () => {
  fake = await startFakeBigQuery();
  storage = storageFor(projectId);
  await storage.bucket(BUCKET).create().catch(() => undefined);
});

beforeEach(async () => {
  logs = [];
  dataDir = tempDir('aloft-poll-triggers-');
  await open();
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

afterAll(async () => {
  await fake?.close();
});

describe('the BigQuery Trigger on aloft server', () => {
  const SQL = 'SELECT id, name FROM crm.new_customers';
  const flow = `id: on-rows
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.size }}: {{ trigger.rows[0].name }}"
triggers:
  - id: watch
    type: io.kestra.plugin.gcp.bigquery.Trigger
    projectId: ${projectId}
    interval: PT1M
    sql: ${SQL}
    fetch: true
`;

  it('starts one execution with trigger.rows, size and jobId when the query returns rows, and none again in the slot after a restart', async () => {
    fake.queries.set(SQL, { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'STRING' }], rows: [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }] });
    await server!.deploy(flow, 'on-rows.yml');
    const started = await server!.poll(new Date('2026-01-01T10:00:10Z'));
    expect(started).toHaveLength(1);
    const [run] = await ended(server!, started);
    expect(run.state.current).toBe('SUCCESS');
    expect(run.trigger).toMatchObject({
      id: 'watch', type: 'io.kestra.plugin.gcp.bigquery.Trigger',
      variables: { size: 2, rows: [{ id: 1, name: 'ada' }, { id: 2, name: 'bob' }], jobId: expect.any(String) },
    });
    expect(run.taskRunList[0].outputs).toEqual({ value: '2: ada' });

    const again = await restart();
    expect(await again.poll(new Date('2026-01-01T10:00:50Z'))).toEqual([]);
    // The next slot queries again; no rows, no execution.
    fake.queries.set(SQL, { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'STRING' }], rows: [] });
    expect(await again.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
    expect((await again.runtime.store.list({ namespace: NS, flowId: 'on-rows', pageSize: 10 })).executions).toHaveLength(1);
  });

  it('reports a query BigQuery refuses with its reason, naming the flow and trigger, and starts nothing', async () => {
    fake.queries.set('SELECT nope', { error: { reason: 'invalidQuery', message: 'Unrecognized name: nope' } });
    await server!.deploy(flow.replace(SQL, 'SELECT nope').replace('on-rows', 'bad-query'), 'bad-query.yml');
    expect(await server!.poll(new Date('2026-01-01T11:00:10Z'))).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({
      severity: 'ERROR', trigger: 'watch', message: expect.stringMatching(/^BigQuery trigger watch of io\.aloft\.polling\.bad-query: .*invalidQuery.*Unrecognized name: nope/),
    }));
    expect((await server!.runtime.store.list({ namespace: NS, flowId: 'bad-query', pageSize: 10 })).executions).toEqual([]);
  });
});

describe('the GCS Trigger on aloft server', () => {
  const flow = (dir: string, action: string, extra = ''): string => `id: on-files
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.blobs | length }}"
triggers:
  - id: watch
    type: io.kestra.plugin.gcp.gcs.Trigger
    projectId: ${projectId}
    interval: PT1M
    from: gs://${BUCKET}/${dir}in/
    action: ${action}
${extra}`;

  const put = async (name: string, body: string): Promise<void> => { await storage.bucket(BUCKET).file(name).save(body); };

  it('with action NONE fires each new or changed object once, copied into internal storage, and a restart fires none again', async () => {
    const dir = uniquePrefix('none');
    await put(`${dir}in/a.csv`, 'a1');
    await put(`${dir}in/sub/deep.csv`, 'not listed: DIRECTORY listing');
    await server!.deploy(flow(dir, 'NONE'), 'on-files.yml');
    const first = await server!.poll(new Date('2026-01-01T10:00:10Z'));
    expect(first).toHaveLength(1);
    const [run] = await ended(server!, first);
    expect(run.state.current).toBe('SUCCESS');
    const blobs = run.trigger!.variables.blobs as Array<{ name: string; uri: string; bucket: string }>;
    expect(blobs).toEqual([expect.objectContaining({ bucket: BUCKET, name: `${dir}in/a.csv`, uri: expect.stringMatching(new RegExp(`^kestra:///io/aloft/polling/on-files/executions/${run.id}/.*a\\.csv$`)) })]);
    expect(await text(await server!.runtime.blobs.get(blobs[0].uri))).toBe('a1');

    const again = await restart();
    expect(await again.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
    await put(`${dir}in/b.csv`, 'b1');
    await put(`${dir}in/a.csv`, 'a2');
    const [next, ...more] = await again.poll(new Date('2026-01-01T10:02:10Z'));
    expect(more).toEqual([]);
    const nextBlobs = (await again.runtime.waitForEnd(next.id)).trigger!.variables.blobs as Array<{ name: string; uri: string }>;
    expect(nextBlobs.map((b) => b.name).sort()).toEqual([`${dir}in/a.csv`, `${dir}in/b.csv`]);
    expect(await text(await again.runtime.blobs.get(nextBlobs.find((b) => b.name.endsWith('a.csv'))!.uri))).toBe('a2');
    expect(await again.poll(new Date('2026-01-01T10:03:10Z'))).toEqual([]);
  });

  it('finishes a batch a crashed poll noted but did not start, once, before listing again', async () => {
    const dir = uniquePrefix('crash');
    await put(`${dir}in/a.csv`, 'a1');
    await server!.deploy(flow(dir, 'DELETE'), 'on-files.yml');
    // What a poll that died after noting its batch leaves: the batch in the state, the object in place.
    const [listed] = await storage.bucket(BUCKET).getFiles({ prefix: `${dir}in/` });
    const blob = { uri: 'kestra:///io/aloft/polling/on-files/executions/crashedBatch0000000001/trigger/a.csv', bucket: BUCKET, name: listed[0].name, generation: String(listed[0].metadata.generation), isDirectory: false };
    await server!.triggerState.updatePollState(`${NS}:on-files:watch`, () => ({ seen: {}, pending: { id: 'crashedBatch0000000001', blobs: [blob] } }));
    const [run, ...more] = await server!.poll(new Date('2026-01-01T10:00:10Z'));
    expect(more).toEqual([]);
    expect(run.id).toBe('crashedBatch0000000001');
    expect(run.trigger!.variables.blobs).toEqual([blob]);
    expect((await storage.bucket(BUCKET).getFiles({ prefix: dir }))[0]).toEqual([]);
    expect(await server!.triggerState.getPollState(`${NS}:on-files:watch`)).toEqual({ seen: { [blob.name]: blob.generation } });
    expect(await server!.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
  });

  it('with on CREATE does not fire an object that only changed', async () => {
    const dir = uniquePrefix('create');
    await put(`${dir}in/a.csv`, 'a1');
    await server!.deploy(flow(dir, 'NONE', '    on: CREATE\n'), 'on-files.yml');
    expect(await server!.poll(new Date('2026-01-01T10:00:10Z'))).toHaveLength(1);
    await put(`${dir}in/a.csv`, 'a2');
    expect(await server!.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
  });

  it('with action MOVE moves the objects it fired into moveDirectory, after the execution exists', async () => {
    const dir = uniquePrefix('move');
    await put(`${dir}in/a.csv`, 'a1');
    await put(`${dir}in/b.json`, 'b1');
    await server!.deploy(flow(dir, 'MOVE', `    regExp: ".*\\\\.csv"\n    moveDirectory: gs://${BUCKET}/${dir}archive/\n`), 'on-files.yml');
    const [run] = await server!.poll(new Date('2026-01-01T10:00:10Z'));
    expect((run.trigger!.variables.blobs as Array<{ name: string }>).map((b) => b.name)).toEqual([`${dir}in/a.csv`]);
    const [files] = await storage.bucket(BUCKET).getFiles({ prefix: dir });
    expect(files.map((f) => f.name).sort()).toEqual([`${dir}archive/a.csv`, `${dir}in/b.json`]);
    const again = await restart();
    expect(await again.poll(new Date('2026-01-01T10:01:10Z'))).toEqual([]);
  });

  it('with action DELETE deletes what it fired', async () => {
    const dir = uniquePrefix('delete');
    await put(`${dir}in/a.csv`, 'a1');
    await server!.deploy(flow(dir, 'DELETE'), 'on-files.yml');
    expect(await server!.poll(new Date('2026-01-01T10:00:10Z'))).toHaveLength(1);
    expect((await storage.bucket(BUCKET).getFiles({ prefix: dir }))[0]).toEqual([]);
  });

  it('reports a malformed service-account key naming the flow and trigger, without the key, and starts nothing', async () => {
    const dir = uniquePrefix('badkey');
    await put(`${dir}in/a.csv`, 'a1');
    await server!.deploy(flow(dir, 'NONE', '    serviceAccount: "{ not-json SECRETVALUE"\n'), 'on-files.yml');
    expect(await server!.poll(new Date('2026-01-01T10:00:10Z'))).toEqual([]);
    const errors = logs.filter((l) => l.severity === 'ERROR');
    expect(errors).toEqual([expect.objectContaining({ trigger: 'watch', message: expect.stringMatching(/^Gcs trigger watch of io\.aloft\.polling\.on-files: .*service/i) })]);
    expect(JSON.stringify(logs)).not.toContain('SECRETVALUE');
  });
});
