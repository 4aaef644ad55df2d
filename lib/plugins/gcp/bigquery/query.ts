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
import type { RawRow } from './page-reader';
import { rowConverter, type FieldSchema } from './rows';
import { tableReference } from './tables';

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

/**
 * The job's result rows, a batch at a time (jobs.getQueryResults with pageToken). Pages are as large as
 * BigQuery makes them (up to 10 MB) unless `maxResults` says otherwise: each is read as it arrives
 * (./page-reader.ts), so memory holds one network chunk of rows whatever the page size.
 */
async function* pages(api: BigQueryApi, job: JobResource, maxResults: number | undefined, location: ErrorLocation): AsyncGenerator<Record<string, unknown>[]> {
  const ref = job.jobReference;
  let pageToken: string | undefined;
  do {
    const qs = { location: ref.location, pageToken, maxResults, 'formatOptions.useInt64Timestamp': true, prettyPrint: false };
    let fields: FieldSchema[] = [];
    let toRow = rowConverter(fields);
    // Rows that came before the schema (BigQuery sends it first; kept for an answer that does not).
    let early: RawRow[] = [];
    pageToken = undefined;
    try {
      for await (const event of api.getPage(`/queries/${encodeURIComponent(ref.jobId)}`, qs)) {
        if ('members' in event) {
          if (event.members.schema?.fields) {
            fields = event.members.schema.fields as FieldSchema[];
            toRow = rowConverter(fields);
          }
          if (event.members.pageToken) pageToken = event.members.pageToken;
        } else if (fields.length === 0) {
          early = early.concat(event.rows);
        } else {
          yield event.rows.map(toRow);
        }
      }
    } catch (err) {
      throw taskError(failureOf(err), 'BigQuery query results', location);
    }
    if (early.length > 0) yield early.map(toRow);
  } while (pageToken);
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
    const stored = await ctx.storage.put(STORE_FILE, Readable.from(jsonLines(pages(api, done, p.maxResults, location), counter)));
    Object.assign(outputs, { uri: stored.uri, size: counter.rows });
  } else if (fetchType === 'FETCH') {
    const rows: Record<string, unknown>[] = [];
    for await (const page of pages(api, done, p.maxResults, location)) for (const row of page) rows.push(row);
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
