// io.kestra.plugin.gcp.bigquery.Query against the fake BigQuery (wire protocol).
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { FAST_RETRY, PROJECT, bigqueryWorld, nextTaskRun, readRows, runTask } from './tasks';

jest.setTimeout(30_000);

let fake: FakeBigQuery;
let world: Awaited<ReturnType<typeof bigqueryWorld>>;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  world = await bigqueryWorld(fake);
});

afterEach(async () => {
  await world.cleanup();
  await fake.close();
});

const TYPES = {
  fields: [
    { name: 'id', type: 'INTEGER' }, { name: 'name', type: 'STRING' }, { name: 'big', type: 'INTEGER' }, { name: 'score', type: 'FLOAT' },
    { name: 'ok', type: 'BOOLEAN' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'dt', type: 'DATETIME' }, { name: 'd', type: 'DATE' },
    { name: 'geo', type: 'GEOGRAPHY' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 's', type: 'RECORD', fields: [{ name: 'x', type: 'INTEGER' }, { name: 'z', type: 'INTEGER', mode: 'REPEATED' }] }, { name: 'n', type: 'STRING' },
    { name: 'bin', type: 'BYTES' }, { name: 'num', type: 'NUMERIC' }, { name: 'doc', type: 'JSON' }, { name: 't', type: 'TIME' },
  ],
  rows: [{
    id: 1, name: 'hello', big: '9007199254740993', score: 1.25, ok: true, ts: '2008-12-25T15:30:00.123Z', dt: '2008-12-25T15:30:00.123456',
    d: '2008-12-25', geo: 'POINT(50.6833 2.9)', tags: ['a', 'b'], s: { x: 4, z: [1, 2, 3] }, n: null,
    bin: 'AQL/', num: '1.25', doc: { a: [1] }, t: '15:30:00.123456',
  }],
};

describe('bigquery.Query on the fake BigQuery (wire protocol)', () => {
  it('fetchOne returns the first row with BigQuery types as Kestra converts them, and the job id', async () => {
    fake.queries.set('SELECT types', TYPES);
    const out = await runTask(world.ctx, 'Query', { projectId: PROJECT, sql: 'SELECT types', fetchOne: true });
    expect(out.jobId).toMatch(/^kestra_[A-Za-z0-9_-]+_0_1$/);
    expect(out.size).toBe(1);
    expect(out.row).toEqual({
      id: 1, name: 'hello', big: '9007199254740993', score: 1.25, ok: true, ts: '2008-12-25T15:30:00.123Z', dt: '2008-12-25T15:30:00.123456Z',
      d: '2008-12-25', geo: [50.6833, 2.9], tags: ['a', 'b'], s: { x: 4, z: [1, 2, 3] }, n: null,
      bin: 'AQL/', num: 1.25, doc: { a: [1] }, t: '15:30:00.123456',
    });
    expect(out.destinationTable).toEqual({ project: PROJECT, dataset: '_fake_anonymous', table: `anon_${out.jobId}` });
  });

  it('fetch returns every row (in pages as large as BigQuery makes them: no maxResults by default), and store streams every page into a JSON Lines file of this task run', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ n: i + 1 }));
    fake.queries.set('SELECT n', { fields: [{ name: 'n', type: 'INTEGER' }], rows });
    const fetched = await runTask(world.ctx, 'Query', { projectId: PROJECT, sql: 'SELECT n', fetch: true });
    expect(fetched.rows).toEqual(rows);
    expect(fetched.size).toBe(100);
    expect(fake.requests.filter((r) => r.path.endsWith(`/queries/${fetched.jobId}`)).map((r) => r.query.get('maxResults'))).toEqual([null]);
    const other = await nextTaskRun(world);
    const stored = await runTask(other, 'Query', { projectId: PROJECT, sql: 'SELECT n', store: 'true', fetchType: 'FETCH_ONE', maxResults: 7 });
    await other.close();
    expect(stored.size).toBe(100);
    expect(stored.uri).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${world.execution.id}/tasks/bq/[^/]+/result\\.jsonl$`));
    expect(await readRows(world.ctx, stored.uri)).toEqual(rows);
    const pages = fake.requests.filter((r) => r.path.endsWith(`/queries/${stored.jobId}`)).length;
    expect(pages).toBeGreaterThanOrEqual(15);
  });

  it('fetchType (1.x) applies when no 0.4 boolean is set, and sets the kestra_* labels on the job', async () => {
    fake.queries.set('SELECT 1', { fields: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
    const out = await runTask(world.ctx, 'Query', { projectId: PROJECT, sql: 'SELECT 1', fetchType: 'FETCH', labels: { team: 'data' } });
    expect(out.rows).toEqual([{ one: 1 }]);
    const other = await nextTaskRun(world);
    const none = await runTask(other, 'Query', { projectId: PROJECT, sql: 'SELECT 1' });
    await other.close();
    expect(fake.jobs.size).toBe(2);
    expect(Object.keys(none).sort()).toEqual(['destinationTable', 'jobId']);
    expect(fake.jobs.get(out.jobId)!.resource.configuration.labels).toEqual({
      team: 'data', kestra_namespace: 'io_aloft_tests', kestra_flow_id: 'test', kestra_execution_id: world.execution.id.toLowerCase(), kestra_task_id: 'bq',
    });
  });

  it('passes the job properties to the query job as Kestra does', async () => {
    fake.queries.set('SELECT 1', { fields: [{ name: 'one', type: 'INTEGER' }], rows: [{ one: 1 }] });
    const out = await runTask(world.ctx, 'Query', {
      projectId: PROJECT, sql: 'SELECT 1', destinationTable: 'sales.out', writeDisposition: 'WRITE_TRUNCATE', createDisposition: 'CREATE_IF_NEEDED',
      priority: 'BATCH', maximumBytesBilled: 1000, jobTimeout: 'PT1M', defaultDataset: 'sales', clusteringFields: ['a'], timePartitioningField: 'd', legacySql: true,
    });
    expect(fake.jobs.get(out.jobId)!.resource.configuration).toMatchObject({
      jobTimeoutMs: '60000',
      query: {
        query: 'SELECT 1', useLegacySql: true, destinationTable: { projectId: PROJECT, datasetId: 'sales', tableId: 'out' }, writeDisposition: 'WRITE_TRUNCATE',
        createDisposition: 'CREATE_IF_NEEDED', priority: 'BATCH', maximumBytesBilled: '1000', defaultDataset: { projectId: PROJECT, datasetId: 'sales' },
        clustering: { fields: ['a'] }, timePartitioning: { type: 'DAY', field: 'd' },
      },
    });
    expect(out.destinationTable).toEqual({ project: PROJECT, dataset: 'sales', table: 'out' });
  });

  it('a table that does not exist fails with the task, the property and BigQuery\'s reason and message', async () => {
    const err = await runTask(world.ctx, 'Query', { projectId: PROJECT, sql: 'SELECT * FROM aloft-test.nope.missing', store: true, retryAuto: FAST_RETRY })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { flow: 'io.aloft.tests.test', task: 'bq', property: 'sql' },
      message: 'BigQuery query failed: notFound: Not found: Table aloft-test:nope.missing was not found in location US',
    });
    expect(fake.jobs.size).toBe(1);
  });

  it('a page of results answered with an error fails naming the flow and the task, with BigQuery\'s reason and message', async () => {
    fake.queries.set('SELECT n', { fields: [{ name: 'n', type: 'INTEGER' }], rows: [{ n: 1 }] });
    fake.failResults.push({ status: 403, reason: 'responseTooLarge', message: 'Response too large to return. Consider specifying a destination table' });
    const err = await runTask(world.ctx, 'Query', { projectId: PROJECT, sql: 'SELECT n', store: true }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { flow: 'io.aloft.tests.test', task: 'bq' },
      message: 'BigQuery query results failed: responseTooLarge: Response too large to return. Consider specifying a destination table',
    });
  });

  it('a wrong project fails with BigQuery\'s notFound and names projectId', async () => {
    fake.projects.add(PROJECT);
    const err = await runTask(world.ctx, 'Query', { projectId: 'no-such-project', sql: 'SELECT 1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'projectId' }, message: 'BigQuery query failed: notFound: Not found: Project no-such-project',
    });
  });
});
