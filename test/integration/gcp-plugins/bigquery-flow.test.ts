// A flow of BigQuery tasks on the embedded runtime (`aloft run`), against the fake BigQuery (wire
// protocol): CreateDataset -> Load (an input file) -> Query (store) -> TableMetadata, outputs checked
// at each step; and a failing task whose error names the flow, the task and Google's reason.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../../lib/runtime/embedded/runtime';
import { outputOf } from '../../helpers/local-run';
import { startFakeBigQuery, type FakeBigQuery } from '../../helpers/fake-bigquery';
import { PROJECT } from './tasks';

jest.setTimeout(60_000);

const FLOW = `
id: bigquery
namespace: io.aloft.tests
inputs:
  - name: orders
    type: FILE
tasks:
  - id: dataset
    type: io.kestra.plugin.gcp.bigquery.CreateDataset
    projectId: ${PROJECT}
    name: sales
  - id: load
    type: io.kestra.plugin.gcp.bigquery.Load
    projectId: ${PROJECT}
    from: "{{ inputs.orders }}"
    destinationTable: "{{ outputs.dataset.datasetId }}.orders"
    format: JSON
    schema:
      fields:
        - name: id
          type: INT64
        - name: amount
          type: FLOAT64
  - id: query
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: ${PROJECT}
    sql: "SELECT * FROM {{ outputs.load.destinationTable }}"
    store: true
  - id: meta
    type: io.kestra.plugin.gcp.bigquery.TableMetadata
    projectId: ${PROJECT}
    dataset: sales
    table: orders
  - id: missing
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: ${PROJECT}
    sql: "SELECT * FROM ${PROJECT}.sales.nothing"
    fetch: true
`;

let fake: FakeBigQuery;
let dataDir: string;
let runtime: LocalRuntime;

beforeEach(async () => {
  fake = await startFakeBigQuery();
  dataDir = mkdtempSync(join(tmpdir(), 'aloft-bq-flow-'));
  runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dataDir, BIGQUERY_EMULATOR_HOST: fake.endpoint } });
});

afterEach(async () => {
  await runtime.stop();
  await fake.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a BigQuery flow on the embedded runtime and the fake BigQuery (wire protocol)', () => {
  it('creates a dataset, loads a file, stores a query\'s rows, reads the table\'s metadata, then fails on a missing table', async () => {
    const { flow } = await runtime.deploy(FLOW, 'bigquery.yml');
    const rows = [{ id: 1, amount: 9.5 }, { id: 2, amount: 12 }];
    const data = Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));
    const started = await runtime.startExecution({ flow, files: { orders: { fileName: 'orders.jsonl', data } } });
    const execution = await runtime.waitForEnd(started.id);
    expect(outputOf(execution, 'dataset')).toMatchObject({ datasetId: 'sales', project: PROJECT });
    expect(outputOf(execution, 'load')).toMatchObject({ destinationTable: `${PROJECT}.sales.orders`, rows: 2 });
    const query = outputOf(execution, 'query')!;
    expect(query).toMatchObject({ size: 2, uri: expect.stringMatching(/^kestra:\/\/\/io\/aloft\/tests\/bigquery\/executions\/.+\/result\.jsonl$/) });
    expect(outputOf(execution, 'meta')).toMatchObject({ table: 'orders', numRows: 2 });
    const missing = execution.taskRunList.find((r) => r.taskId === 'missing')!;
    expect(missing.state.current).toBe('FAILED');
    expect(execution.state.current).toBe('FAILED');
    const logs = (await runtime.logs.list(execution.id)).map((l) => l.message);
    expect(logs).toContain(`BigQuery query failed: notFound: Not found: Table ${PROJECT}:sales.nothing was not found in location US`);
    expect(new Set([...fake.jobs.values()].map((j) => j.resource.configuration.labels.kestra_execution_id))).toEqual(new Set([execution.id.toLowerCase()]));
  });
});
