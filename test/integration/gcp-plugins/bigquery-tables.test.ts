// Load, CreateDataset, DeleteDataset, CreateTable, DeleteTable and TableMetadata against the fake BigQuery (wire protocol).
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

const SCHEMA = { fields: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'STRING' }] };

describe('BigQuery dataset and table tasks on the fake BigQuery (wire protocol)', () => {
  it('CreateDataset creates, then ERROR fails, SKIP keeps and UPDATE patches the existing dataset', async () => {
    const created = await runTask(world.ctx, 'CreateDataset', { projectId: PROJECT, name: 'sales', location: 'EU', description: 'first' });
    expect(created).toEqual({ datasetId: 'sales', project: PROJECT, description: 'first', location: 'EU' });
    const err = await runTask(world.ctx, 'CreateDataset', { projectId: PROJECT, name: 'sales' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { task: 'bq', property: 'name' }, message: expect.stringContaining(`duplicate: Already Exists: Dataset ${PROJECT}:sales`) });
    expect(await runTask(world.ctx, 'CreateDataset', { projectId: PROJECT, name: 'sales', ifExists: 'SKIP', description: 'ignored' }))
      .toMatchObject({ description: 'first' });
    expect(await runTask(world.ctx, 'CreateDataset', { projectId: PROJECT, name: 'sales', ifExists: 'UPDATE', description: 'second' }))
      .toMatchObject({ description: 'second' });
  });

  it('CreateTable, TableMetadata and DeleteTable; a table that does not exist names the property and BigQuery\'s reason', async () => {
    fake.createDataset(PROJECT, 'sales');
    const created = await runTask(world.ctx, 'CreateTable', { projectId: PROJECT, dataset: 'sales', table: 'orders', tableDefinition: { schema: SCHEMA }, friendlyName: 'Orders' });
    expect(created).toMatchObject({ projectId: PROJECT, datasetId: 'sales', table: 'orders', friendlyName: 'Orders', numRows: 0 });
    const meta = await runTask(world.ctx, 'TableMetadata', { projectId: PROJECT, dataset: 'sales', table: 'orders' });
    expect(meta).toMatchObject({ table: 'orders', schema: SCHEMA, creationTime: '2023-11-14T22:13:20.000Z' });
    expect(await runTask(world.ctx, 'DeleteTable', { projectId: PROJECT, dataset: 'sales', table: 'orders' })).toEqual({ projectId: PROJECT, datasetId: 'sales', table: 'orders' });
    const err = await runTask(world.ctx, 'TableMetadata', { projectId: PROJECT, dataset: 'sales', table: 'orders' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'table' },
      message: `BigQuery TableMetadata 'sales.orders' failed: notFound: Not found: Table ${PROJECT}:sales.orders`,
    });
    expect(await runTask(world.ctx, 'TableMetadata', { projectId: PROJECT, dataset: 'sales', table: 'orders', ifNotExists: 'SKIP' }))
      .toEqual({ projectId: PROJECT, datasetId: 'sales', table: 'orders' });
  });

  it('DeleteDataset refuses a dataset with tables unless deleteContents', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 't', SCHEMA.fields);
    const err = await runTask(world.ctx, 'DeleteDataset', { projectId: PROJECT, name: 'sales' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ message: `BigQuery DeleteDataset 'sales' failed: resourceInUse: Dataset ${PROJECT}:sales is still in use` });
    expect(await runTask(world.ctx, 'DeleteDataset', { projectId: PROJECT, name: 'sales', deleteContents: true })).toEqual({ dataset: 'sales' });
  });

  it('a rate limit on a table call is retried like a job', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.failCalls.push({ status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many api requests per user per method' });
    const out = await runTask(world.ctx, 'CreateTable', { projectId: PROJECT, dataset: 'sales', table: 'x', retryAuto: FAST_RETRY });
    expect(out.table).toBe('x');
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/datasets/sales/tables'))).toHaveLength(2);
  });
});

describe('the fake BigQuery (wire protocol) itself', () => {
  it('serves tabledata.list with pageToken paging as the client library reads it', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the client library, as users' code would call it
    const { BigQuery } = require('@google-cloud/bigquery') as typeof import('@google-cloud/bigquery');
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 't', SCHEMA.fields, Array.from({ length: 10 }, (_, i) => ({ id: i, name: `n${i}` })));
    const client = new BigQuery({ projectId: PROJECT, apiEndpoint: fake.endpoint, authClient: { getRequestHeaders: async () => ({}) } as never });
    fake.pageSize = 3;
    const [rows] = await client.dataset('sales').table('t').getRows({ autoPaginate: true });
    expect(rows.map((r: { id: number }) => r.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fake.requests.filter((r) => r.path.endsWith('/tables/t/data')).map((r) => r.query.get('pageToken'))).toEqual([null, '3', '6', '9']);
  });

  it('serves pre-serialised pages of generated rows exactly as it writes them on the fly', async () => {
    const generated = { fields: SCHEMA.fields, count: 25, row: (i: number) => ({ id: i, name: i % 4 === 0 ? null : `n${i}` }) };
    fake.pageSize = 10;
    fake.queries.set('SELECT generated', { ...generated });
    fake.queries.set('SELECT preserialized', { ...generated });
    fake.preserialize('SELECT preserialized');
    expect([...(fake.queries.get('SELECT preserialized') as { pages: Map<string, string[]> }).pages.keys()]).toEqual(['0:10', '10:10', '20:10']);
    const read = async (sql: string) => {
      const ctx = await nextTaskRun(world, sql.split(' ')[1]);
      const out = await runTask(ctx, 'Query', { projectId: PROJECT, sql, store: true, maxResults: 10 });
      const rows = await readRows(world.ctx, out.uri);
      await ctx.close();
      return rows;
    };
    const onTheFly = await read('SELECT generated');
    expect(onTheFly).toHaveLength(25);
    expect(await read('SELECT preserialized')).toEqual(onTheFly);
    expect(() => fake.preserialize('SELECT nothing')).toThrow("no generated rows registered for 'SELECT nothing'");
  });
});

describe('bigquery.Load on the fake BigQuery (wire protocol)', () => {
  it('uploads a kestra:// JSON Lines file as a load job, creating the table, with the kestra_* labels; Query then reads it back', async () => {
    fake.createDataset(PROJECT, 'sales');
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` }));
    const file = await world.ctx.storage.writeRows('rows.jsonl', rows);
    const out = await runTask(world.ctx, 'Load', {
      projectId: PROJECT, from: file.uri, destinationTable: `${PROJECT}.sales.orders`, format: 'JSON', schema: SCHEMA, retryAuto: FAST_RETRY,
    });
    expect(out).toEqual({ jobId: expect.stringMatching(/^kestra_.+_0_1$/), destinationTable: `${PROJECT}.sales.orders`, rows: 50 });
    const job = fake.jobs.get(out.jobId)!.resource;
    expect(job.configuration.labels).toMatchObject({ kestra_task_id: 'bq', kestra_flow_id: 'test' });
    expect(job.configuration.load).toMatchObject({ sourceFormat: 'NEWLINE_DELIMITED_JSON', destinationTable: { projectId: PROJECT, datasetId: 'sales', tableId: 'orders' } });
    expect(fake.requests.filter((r) => r.path === `/upload/bigquery/v2/projects/${PROJECT}/jobs`)).toHaveLength(1);
    const reader = await nextTaskRun(world);
    const back = await runTask(reader, 'Query', { projectId: PROJECT, sql: `SELECT * FROM ${PROJECT}.sales.orders`, store: true });
    expect(await readRows(world.ctx, back.uri)).toEqual(rows);
    expect(fake.jobs.size).toBe(2);
    await reader.close();
  });

  it('a load that fails with a retryable reason uploads the file again under a new job id', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.failJobs.push({ reason: 'jobBackendError', message: 'Error encountered during execution. Retrying may solve the problem.' });
    const file = await world.ctx.storage.put('rows.csv', 'id,name\n1,a\n2,b\n');
    const out = await runTask(world.ctx, 'Load', {
      projectId: PROJECT, from: file.uri, destinationTable: 'sales.orders', format: 'CSV', csvOptions: { skipLeadingRows: 1 }, schema: SCHEMA, retryAuto: FAST_RETRY,
    });
    expect(out).toMatchObject({ jobId: expect.stringMatching(/_0_2$/), rows: 2 });
    expect(fake.jobs.size).toBe(2);
    expect(fake.tableRows(PROJECT, 'sales', 'orders')).toEqual([{ id: '1', name: 'a' }, { id: '2', name: 'b' }]);
  });

  it('into a dataset that does not exist fails with BigQuery\'s reason and names destinationTable', async () => {
    const file = await world.ctx.storage.put('rows.jsonl', '{"id":1}\n');
    const err = await runTask(world.ctx, 'Load', { projectId: PROJECT, from: file.uri, destinationTable: 'nope.t', format: 'JSON', schema: SCHEMA }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'destinationTable' },
      message: `BigQuery load into '${PROJECT}.nope.t' failed: notFound: Not found: Dataset ${PROJECT}:nope`,
    });
  });
});
