// Query: runs `sql` as a query job, then keeps its rows as Kestra does: `store` streams every page
// into a JSON Lines file of this task run (one page in memory at a time), `fetch` returns them,
// `fetchOne` the first. The 0.4 booleans win over 1.x's `fetchType`.
import { Readable } from 'node:stream';
import { parseDurationMs } from '../../../model/duration';
import type { ErrorLocation } from '../../../model/errors';
import { isSuspend, type Suspend, type TaskContext } from '../../types';
import { connect, type BigQueryApi, type JobResource } from './client';
import { failureOf, taskError } from './errors';
import { kestraLabels, runJob } from './jobs';
import { fetchTypeOf, type QueryOutputs, type QueryProperties } from './properties';
import { retrySettings } from './retry';
import { toRow, type FieldSchema } from './rows';
import { tableReference } from './tables';

/**
 * Rows asked per page when `maxResults` is not set. BigQuery would send up to 10 MB a page, which the
 * client holds twice (text, then objects); 10,000 rows keep memory flat at any result size.
 */
export const DEFAULT_PAGE_ROWS = 10_000;

/** The name of the file `store` writes. */
export const STORE_FILE = 'result.jsonl';

export { fetchTypeOf };

function configuration(ctx: TaskContext, p: QueryProperties, api: BigQueryApi, location: ErrorLocation): Record<string, unknown> {
  const query: Record<string, unknown> = { query: p.sql, useLegacySql: p.useLegacySql ?? p.legacySql ?? false };
  if (p.destinationTable) query.destinationTable = tableReference(p.destinationTable, api.projectId, { ...location, property: 'destinationTable' });
  if (p.clusteringFields) query.clustering = { fields: p.clusteringFields };
  if (p.schemaUpdateOptions) query.schemaUpdateOptions = p.schemaUpdateOptions;
  if (p.timePartitioningField) query.timePartitioning = { type: 'DAY', field: p.timePartitioningField };
  if (p.writeDisposition) query.writeDisposition = p.writeDisposition;
  if (p.createDisposition) query.createDisposition = p.createDisposition;
  if (p.defaultDataset) {
    const [project, dataset] = p.defaultDataset.includes('.') ? p.defaultDataset.split('.', 2) : [api.projectId, p.defaultDataset];
    query.defaultDataset = { projectId: project, datasetId: dataset };
  }
  if (p.priority) query.priority = p.priority;
  if (p.allowLargeResults !== undefined) query.allowLargeResults = p.allowLargeResults;
  if (p.useQueryCache !== undefined) query.useQueryCache = p.useQueryCache;
  if (p.flattenResults !== undefined) query.flattenResults = p.flattenResults;
  if (p.maximumBillingTier !== undefined) query.maximumBillingTier = p.maximumBillingTier;
  if (p.maximumBytesBilled !== undefined) query.maximumBytesBilled = String(p.maximumBytesBilled);
  const config: Record<string, unknown> = { query, labels: { ...p.labels, ...kestraLabels(ctx) } };
  if (p.jobTimeout) config.jobTimeoutMs = String(parseDurationMs(p.jobTimeout));
  if (p.dryRun) config.dryRun = true;
  return config;
}

interface ResultsPage {
  schema?: { fields?: FieldSchema[] };
  rows?: Array<{ f?: Array<{ v?: unknown }> }>;
  totalRows?: string;
  pageToken?: string;
  jobComplete?: boolean;
}

/**
 * The job's result rows, a page at a time (jobs.getQueryResults with pageToken). The next page is
 * asked for before this one is handed on, so BigQuery prepares it while this one is written.
 */
async function* pages(api: BigQueryApi, job: JobResource, maxResults: number | undefined, location: ErrorLocation): AsyncGenerator<Record<string, unknown>[]> {
  const ref = job.jobReference;
  const fetchPage = (pageToken: string | undefined): Promise<ResultsPage> => api.getLarge<ResultsPage>(`/queries/${encodeURIComponent(ref.jobId)}`, {
    location: ref.location, pageToken, maxResults, 'formatOptions.useInt64Timestamp': true, prettyPrint: false,
  });
  let next: Promise<ResultsPage> | undefined = fetchPage(undefined);
  while (next) {
    let page: ResultsPage;
    try {
      page = await next;
    } catch (err) {
      throw taskError(failureOf(err), 'BigQuery query results', location);
    }
    next = page.pageToken ? fetchPage(page.pageToken) : undefined;
    // A page abandoned by the consumer (fetchOne) must not become an unhandled rejection.
    next?.catch(() => undefined);
    const fields = page.schema?.fields ?? [];
    const rows = page.rows ?? [];
    page.rows = undefined;
    yield rows.map((r) => toRow(fields, r));
  }
}

async function* jsonLines(batches: AsyncIterable<Record<string, unknown>[]>, counter: { rows: number }): AsyncGenerator<string> {
  let text = '';
  for await (const batch of batches) {
    counter.rows += batch.length;
    for (const row of batch) {
      text += `${JSON.stringify(row)}\n`;
      if (text.length >= 65_536) {
        yield text;
        text = '';
      }
    }
  }
  if (text) yield text;
}

export async function runQuery(ctx: TaskContext, p: QueryProperties, continuation?: unknown): Promise<QueryOutputs | Suspend> {
  const location: ErrorLocation = { flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId };
  const api = connect(ctx, p, location);
  ctx.logger.debug(`Starting query: ${p.sql}`);
  const done = await runJob(ctx, api, {
    what: 'BigQuery query', configuration: configuration(ctx, p, api, location), retry: retrySettings(p), location: { ...location, property: 'sql' },
  }, continuation);
  if (isSuspend(done)) return done;
  const outputs: QueryOutputs = { jobId: done.jobReference.jobId };
  const dest = done.configuration?.query?.destinationTable as { projectId?: string; datasetId?: string; tableId?: string } | undefined;
  if (dest?.projectId && dest.datasetId && dest.tableId) outputs.destinationTable = { project: dest.projectId, dataset: dest.datasetId, table: dest.tableId };
  const fetchType = fetchTypeOf(p);
  if (fetchType === 'NONE' || p.dryRun) return outputs;
  if (fetchType === 'STORE') {
    const counter = { rows: 0 };
    const stored = await ctx.storage.put(STORE_FILE, Readable.from(jsonLines(pages(api, done, p.maxResults ?? DEFAULT_PAGE_ROWS, location), counter)));
    Object.assign(outputs, { uri: stored.uri, size: counter.rows });
  } else if (fetchType === 'FETCH') {
    const rows: Record<string, unknown>[] = [];
    for await (const page of pages(api, done, p.maxResults ?? DEFAULT_PAGE_ROWS, location)) for (const row of page) rows.push(row);
    Object.assign(outputs, { rows, size: rows.length });
  } else {
    let first: Record<string, unknown> | undefined;
    for await (const page of pages(api, done, 1, location)) {
      first = page[0];
      break;
    }
    Object.assign(outputs, { row: first ?? {}, size: first ? 1 : 0 });
  }
  ctx.metrics.counter('fetch.rows', outputs.size ?? 0);
  return outputs;
}
