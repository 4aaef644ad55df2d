import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { checkValue } from '../../../../lib/model/flow-zod';
import { createCatalog } from '../../../../lib/plugins/catalog';
import { bigqueryTasks } from '../../../../lib/plugins/gcp/bigquery';
import { fetchTypeOf } from '../../../../lib/plugins/gcp/bigquery/query';

const def = (name: string) => bigqueryTasks.find((t) => t.type === `io.kestra.plugin.gcp.bigquery.${name}`)!;

// Property sets as Kestra's documentation writes them.
const EXAMPLES: Record<string, Record<string, unknown>> = {
  Query: {
    projectId: 'my-project', serviceAccount: "{{ secret('GCP_SA') }}", destinationTable: 'my_project.my_dataset.my_table', writeDisposition: 'WRITE_APPEND',
    sql: 'SELECT "hello" as string', fetch: true, retryAuto: { type: 'constant', interval: 'PT1S', maxAttempt: 3 }, retryReasons: ['backendError'],
  },
  Load: {
    from: '{{ outputs.extract.uri }}', destinationTable: 'my_project.my_dataset.my_table', format: 'CSV',
    csvOptions: { fieldDelimiter: ';', skipLeadingRows: 1 }, schema: { fields: [{ name: 'id', type: 'INT64' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' }] },
  },
  LoadFromGcs: {
    destinationTable: 'myDataset.myTable', ignoreUnknownValues: true, format: 'CSV', from: ['gs://myBucket/myFile.csv'],
    schema: { fields: [{ name: 'colA', type: 'STRING' }, { name: 'colB', type: 'NUMERIC' }] }, csvOptions: { allowJaggedRows: true, encoding: 'UTF-8', fieldDelimiter: ',' },
  },
  ExtractToGcs: { destinationUris: ['gs://bucket_name/filename.csv'], sourceTable: 'my-project.my_dataset.my_table', format: 'CSV', fieldDelimiter: ';', printHeader: true },
  Copy: { operationType: 'COPY', sourceTables: ['my-project.my_dataset.my_table$20130908'], destinationTable: 'my-project.my_dataset.my_table' },
  CreateDataset: { name: 'my_dataset', location: 'EU', ifExists: 'SKIP' },
  UpdateDataset: { name: 'my_dataset', location: 'EU', friendlyName: 'new Friendly Name' },
  UpdateTable: { projectId: 'my-project', dataset: 'my-dataset', table: 'my-table', expirationDuration: 'PT48H' },
  DeleteDataset: { name: 'my_dataset', deleteContents: true },
  CreateTable: { dataset: 'my_dataset', table: 'my_table', tableDefinition: { type: 'TABLE', schema: { fields: [{ name: 'id', type: 'INT64' }] } } },
  TableMetadata: { dataset: 'my_dataset', table: 'my_table', ifNotExists: 'SKIP' },
  DeleteTable: { dataset: 'my_dataset', table: 'my_table' },
};

describe('bigqueryTasks', () => {
  it('define Kestra\'s BigQuery types in the gcp group, and register in a catalog without clashes', () => {
    expect(bigqueryTasks.map((t) => t.type.split('.').pop()).sort()).toEqual(Object.keys(EXAMPLES).sort());
    expect(new Set(bigqueryTasks.map((t) => t.group))).toEqual(new Set(['gcp']));
    expect(createCatalog(bigqueryTasks, []).runnable('io.kestra.plugin.gcp.bigquery.Query')?.group).toBe('gcp');
  });

  it.each(Object.keys(EXAMPLES))('%s accepts the properties Kestra documents', (name) => {
    expect(checkValue(def(name).properties, EXAMPLES[name], { strictRoot: true })).toEqual([]);
  });

  it('rejects unknown properties and bad values with their names', () => {
    const issues = checkValue(def('Query').properties, { sql: 'x', fetchType: 'ALL', destinationTable: 'nodot', retryAuto: { type: 'exponential' }, fetchSize: 1 });
    expect(issues.map((i) => i.message).sort()).toEqual([
      'expected one of "FETCH_ONE", "FETCH", "STORE", "NONE", got \'ALL\'',
      'expected project.dataset.table or dataset.table',
      "missing required property 'interval'",
      "missing required property 'maxInterval'",
      "unknown property 'fetchSize'; did you mean 'fetchOne'?",
    ]);
  });

  it('rejects a GCS source or destination that is not a gs:// URI, naming the property', () => {
    expect(checkValue(def('LoadFromGcs').properties, { from: ['/tmp/x.csv'], destinationTable: 'd.t', format: 'CSV' }).map((i) => [i.path, i.message]))
      .toEqual([[['from', 0], 'expected gs://bucket/object']]);
    expect(checkValue(def('ExtractToGcs').properties, { sourceTable: 'd.t', destinationUris: 'gs://bucket' }).map((i) => i.message))
      .toEqual(['expected gs://bucket/object']);
  });

  it.each([
    [{ store: true, fetchType: 'FETCH' }, 'STORE'],
    [{ fetch: true, fetchOne: true }, 'FETCH'],
    [{ fetchOne: true, fetchType: 'STORE' }, 'FETCH_ONE'],
    [{ fetchType: 'FETCH' }, 'FETCH'],
    [{ fetch: false, fetchType: 'STORE' }, 'STORE'],
    [{}, 'NONE'],
  ] as const)('with %j the query keeps its rows as %s (the 0.4 booleans win)', (props, expected) => {
    expect(fetchTypeOf(props)).toBe(expected);
  });

  it('load no Google client library (nor do the gcs and pubsub types) until a task opens a client', () => {
    const r = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'test/unit/plugins/gcp/lazy-probe.ts'], { encoding: 'utf8', env: { ...process.env, METADATA_SERVER_DETECTION: 'none' } });
    // run-ts removes its bundle at exit, not when its process is killed: named by the child's pid.
    rmSync(`node_modules/.cache/aloft-run/lazy-probe-${r.pid}.cjs`, { force: true });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ before: [], after: true });
  });
});
