// LoadFromGcs, ExtractToGcs, Copy, UpdateDataset and UpdateTable against the fake BigQuery (wire protocol),
// whose Cloud Storage is a map of gs:// URIs (BigQuery reads and writes GCS itself, the task never does).
import { isSuspend } from '../../../lib/plugins/types';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { FAST_RETRY, PROJECT, bigqueryWorld, nextTaskRun, runTask } from './tasks';

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
const ROWS = [{ id: '1', name: 'a' }, { id: '2', name: 'b' }];
const sent = (jobId: string) => fake.jobs.get(jobId)!.resource.configuration;

describe('bigquery.LoadFromGcs on the fake BigQuery (wire protocol)', () => {
  it('loads the objects a wildcard URI names into a new table, as a load job with sourceUris and the kestra_* labels', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.gcs.set('gs://bucket/in/part-1.csv', 'id,name\n1,a\n');
    fake.gcs.set('gs://bucket/in/part-2.csv', 'id,name\n2,b\n');
    const out = await runTask(world.ctx, 'LoadFromGcs', {
      projectId: PROJECT, from: ['gs://bucket/in/*.csv'], destinationTable: 'sales.orders', format: 'CSV', csvOptions: { skipLeadingRows: 1 }, schema: SCHEMA,
    });
    expect(out).toEqual({ jobId: expect.stringMatching(/^kestra_.+_0_1$/), destinationTable: `${PROJECT}.sales.orders`, rows: 2 });
    expect(sent(out.jobId)).toMatchObject({
      load: { sourceUris: ['gs://bucket/in/*.csv'], sourceFormat: 'CSV', skipLeadingRows: 1, destinationTable: { projectId: PROJECT, datasetId: 'sales', tableId: 'orders' } },
      labels: { kestra_task_id: 'bq', kestra_flow_id: 'test' },
    });
    expect(fake.tableRows(PROJECT, 'sales', 'orders')).toEqual(ROWS);
    // Nothing was uploaded: BigQuery read the files.
    expect(fake.requests.filter((r) => r.path.startsWith('/upload/'))).toHaveLength(0);
  });

  it('a URI with no object fails with BigQuery\'s reason and names from; a missing dataset names destinationTable', async () => {
    fake.createDataset(PROJECT, 'sales');
    const err = await runTask(world.ctx, 'LoadFromGcs', { projectId: PROJECT, from: 'gs://bucket/none.json', destinationTable: 'sales.t', format: 'JSON', schema: SCHEMA })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'from' },
      message: `BigQuery load from GCS into '${PROJECT}.sales.t' failed: notFound: Not found: URI gs://bucket/none.json`,
    });
    fake.gcs.set('gs://bucket/a.json', '{"id":1}\n');
    const next = await nextTaskRun(world);
    const err2 = await runTask(next, 'LoadFromGcs', { projectId: PROJECT, from: 'gs://bucket/a.json', destinationTable: 'nope.t', format: 'JSON', schema: SCHEMA })
      .catch((e: unknown) => e);
    expect(err2).toMatchObject({ location: { property: 'destinationTable' }, message: expect.stringContaining(`notFound: Not found: Dataset ${PROJECT}:nope`) });
    await next.close();
  });

  it('is retried under a new job id when the job fails with a retryable reason', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.gcs.set('gs://bucket/a.json', '{"id":1,"name":"a"}\n');
    fake.failJobs.push({ reason: 'backendError', message: 'Backend error' });
    const out = await runTask(world.ctx, 'LoadFromGcs', {
      projectId: PROJECT, from: ['gs://bucket/a.json'], destinationTable: 'sales.t', format: 'JSON', schema: SCHEMA, retryAuto: FAST_RETRY,
    });
    expect(out).toMatchObject({ jobId: expect.stringMatching(/_0_2$/), rows: 1 });
    expect(fake.jobs.size).toBe(2);
  });
});

describe('bigquery.ExtractToGcs on the fake BigQuery (wire protocol)', () => {
  it('writes the table to the destination URIs with the format, delimiter and header asked, and returns the file counts', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 'orders', SCHEMA.fields, ROWS);
    const out = await runTask(world.ctx, 'ExtractToGcs', {
      projectId: PROJECT, sourceTable: `${PROJECT}.sales.orders`, destinationUris: ['gs://bucket/out/orders-*.csv'], format: 'CSV', fieldDelimiter: ';',
      printHeader: true, compression: 'NONE', jobTimeoutMs: 60000, labels: { team: 'data' },
    });
    expect(out).toEqual({ jobId: expect.stringMatching(/^kestra_/), sourceTable: 'orders', destinationUris: ['gs://bucket/out/orders-*.csv'], fileCounts: [1] });
    expect(fake.gcs.get('gs://bucket/out/orders-000000000000.csv')).toBe('id;name\n1;a\n2;b\n');
    expect(sent(out.jobId)).toMatchObject({
      extract: { destinationFormat: 'CSV', fieldDelimiter: ';', printHeader: true, compression: 'NONE', sourceTable: { tableId: 'orders' } },
      jobTimeoutMs: '60000', labels: { team: 'data', kestra_task_id: 'bq' },
    });
  });

  it('a table that does not exist fails with BigQuery\'s reason and names sourceTable', async () => {
    fake.createDataset(PROJECT, 'sales');
    const err = await runTask(world.ctx, 'ExtractToGcs', { projectId: PROJECT, sourceTable: 'sales.nope', destinationUris: ['gs://bucket/x.json'], format: 'NEWLINE_DELIMITED_JSON' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'sourceTable' },
      message: `BigQuery extract of '${PROJECT}.sales.nope' failed: notFound: Not found: Table ${PROJECT}:sales.nope`,
    });
    expect(fake.gcs.size).toBe(0);
  });
});

describe('bigquery.Copy on the fake BigQuery (wire protocol)', () => {
  it('copies the source tables into the destination as a copy job with the dispositions, operation type and kestra_* labels', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 'jan', SCHEMA.fields, [ROWS[0]]);
    fake.createTable(PROJECT, 'sales', 'feb', SCHEMA.fields, [ROWS[1]]);
    const out = await runTask(world.ctx, 'Copy', {
      projectId: PROJECT, sourceTables: ['sales.jan', `${PROJECT}.sales.feb`], destinationTable: 'sales.all', operationType: 'COPY',
      writeDisposition: 'WRITE_TRUNCATE', createDisposition: 'CREATE_IF_NEEDED', jobTimeout: 'PT1M',
    });
    expect(out).toEqual({ jobId: expect.stringMatching(/^kestra_.+_0_1$/) });
    expect(fake.tableRows(PROJECT, 'sales', 'all')).toEqual(ROWS);
    expect(sent(out.jobId)).toMatchObject({
      copy: {
        sourceTables: [{ projectId: PROJECT, datasetId: 'sales', tableId: 'jan' }, { projectId: PROJECT, datasetId: 'sales', tableId: 'feb' }],
        destinationTable: { projectId: PROJECT, datasetId: 'sales', tableId: 'all' }, operationType: 'COPY', writeDisposition: 'WRITE_TRUNCATE', createDisposition: 'CREATE_IF_NEEDED',
      },
      jobTimeoutMs: '60000', labels: { kestra_task_id: 'bq' },
    });
  });

  it('a missing source names sourceTables, a missing destination dataset names destinationTable, each with BigQuery\'s reason', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 'jan', SCHEMA.fields, ROWS);
    const err = await runTask(world.ctx, 'Copy', { projectId: PROJECT, sourceTables: ['sales.nope'], destinationTable: 'sales.all' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ location: { property: 'sourceTables' }, message: `BigQuery copy into '${PROJECT}.sales.all' failed: notFound: Not found: Table ${PROJECT}:sales.nope` });
    const next = await nextTaskRun(world);
    const err2 = await runTask(next, 'Copy', { projectId: PROJECT, sourceTables: ['sales.jan'], destinationTable: 'other.all' }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ location: { property: 'destinationTable' }, message: expect.stringContaining(`notFound: Not found: Dataset ${PROJECT}:other`) });
    await next.close();
  });

  it('hands over a continuation before the deadline, and the next invocation waits on the same copy job', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 'jan', SCHEMA.fields, ROWS);
    const props = { projectId: PROJECT, sourceTables: ['sales.jan'], destinationTable: 'sales.copy' };
    const w = await bigqueryWorld(fake, { deadline: new Date(Date.now() - 1) });
    const first = await runTask(w.ctx, 'Copy', props);
    await w.cleanup();
    expect(isSuspend(first)).toBe(true);
    const [jobId] = [...fake.jobs.keys()];
    const out = await runTask(world.ctx, 'Copy', props, JSON.parse(JSON.stringify(first.continuation)));
    expect(out).toEqual({ jobId });
    expect(fake.jobs.size).toBe(1);
    expect(fake.tableRows(PROJECT, 'sales', 'copy')).toEqual(ROWS);
  });
});

describe('bigquery.UpdateDataset and UpdateTable on the fake BigQuery (wire protocol)', () => {
  it('UpdateDataset patches the properties given; a dataset that does not exist fails naming name', async () => {
    fake.createDataset(PROJECT, 'sales');
    const out = await runTask(world.ctx, 'UpdateDataset', { projectId: PROJECT, name: 'sales', friendlyName: 'Sales', description: 'all sales', labels: { team: 'data' } });
    expect(out).toEqual({ datasetId: 'sales', project: PROJECT, friendlyName: 'Sales', description: 'all sales', location: 'US' });
    expect(fake.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/datasets/sales'))).toHaveLength(1);
    const err = await runTask(world.ctx, 'UpdateDataset', { projectId: PROJECT, name: 'nope', description: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'TASK_FAILED', location: { task: 'bq', property: 'name' },
      message: `BigQuery UpdateDataset 'nope' failed: notFound: Not found: Dataset ${PROJECT}:nope`,
    });
  });

  it('UpdateTable patches the properties given and keeps the others; a table that does not exist fails naming table', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.createTable(PROJECT, 'sales', 'orders', SCHEMA.fields, ROWS);
    const out = await runTask(world.ctx, 'UpdateTable', { projectId: PROJECT, dataset: 'sales', table: 'orders', friendlyName: 'Orders', labels: { team: 'data' }, expirationDuration: 'PT48H' });
    expect(out).toMatchObject({ projectId: PROJECT, datasetId: 'sales', table: 'orders', friendlyName: 'Orders', labels: { team: 'data' }, numRows: 2, schema: SCHEMA });
    const meta = await runTask(world.ctx, 'TableMetadata', { projectId: PROJECT, dataset: 'sales', table: 'orders' });
    expect(meta).toMatchObject({ friendlyName: 'Orders', schema: SCHEMA });
    const err = await runTask(world.ctx, 'UpdateTable', { projectId: PROJECT, dataset: 'sales', table: 'nope', description: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ location: { property: 'table' }, message: `BigQuery UpdateTable 'sales.nope' failed: notFound: Not found: Table ${PROJECT}:sales.nope` });
  });

  it('a rate limit on an update is retried like a job', async () => {
    fake.createDataset(PROJECT, 'sales');
    fake.failCalls.push({ status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many api requests per user per method' });
    const out = await runTask(world.ctx, 'UpdateDataset', { projectId: PROJECT, name: 'sales', description: 'd', retryAuto: FAST_RETRY });
    expect(out).toMatchObject({ description: 'd' });
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(2);
  });
});
