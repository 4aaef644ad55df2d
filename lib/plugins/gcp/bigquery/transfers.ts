// LoadFromGcs, ExtractToGcs and Copy: jobs whose data stays inside Google (BigQuery reads or writes
// Cloud Storage itself), run as every job is (./jobs.ts: retry, adoption, kill, continuation).
import { parseDurationMs } from '../../../model/duration';
import type { ErrorLocation } from '../../../model/errors';
import { isSuspend, type Suspend, type TaskContext } from '../../types';
import { connect } from './client';
import { kestraLabels, runJob } from './jobs';
import { loadConfiguration } from './load';
import type {
  CopyOutputs, CopyProperties, ExtractToGcsOutputs, ExtractToGcsProperties, LoadFromGcsProperties, LoadOutputs,
} from './properties';
import { retrySettings } from './retry';
import { tableReference, type TableReference } from './tables';

const locationOf = (ctx: TaskContext): ErrorLocation => ({ flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId });
const nameOf = (t: TableReference) => `${t.projectId}.${t.datasetId}.${t.tableId}`;
/** Whether BigQuery's message names the table or its dataset ("Not found: Dataset p:d", "Table p:d.t"). */
const mentions = (message: string, t: TableReference) => message.includes(`Dataset ${t.projectId}:${t.datasetId}`) || message.includes(`${t.projectId}:${t.datasetId}.${t.tableId}`);

export async function runLoadFromGcs(ctx: TaskContext, p: LoadFromGcsProperties, continuation?: unknown): Promise<LoadOutputs | Suspend> {
  const location = locationOf(ctx);
  const api = connect(ctx, p, location);
  const dest = tableReference(p.destinationTable, api.projectId, { ...location, property: 'destinationTable' });
  const configuration = { load: { ...loadConfiguration(p, dest), sourceUris: p.from }, labels: kestraLabels(ctx) };
  ctx.logger.debug(`Starting load from ${p.from.join(', ')} into '${nameOf(dest)}'`);
  const done = await runJob(ctx, api, {
    what: `BigQuery load from GCS into '${nameOf(dest)}'`, configuration, retry: retrySettings(p), location: { ...location, property: 'destinationTable' },
    propertyOf: (f) => (f.errors.some((e) => /\bURI\b|gs:\/\//.test(e.message)) ? 'from' : undefined),
  }, continuation);
  if (isSuspend(done)) return done;
  const rows = done.statistics?.load?.outputRows;
  ctx.metrics.counter('output.rows', Number(rows ?? 0));
  return { jobId: done.jobReference.jobId, destinationTable: nameOf(dest), ...(rows !== undefined ? { rows: Number(rows) } : {}) };
}

export async function runExtractToGcs(ctx: TaskContext, p: ExtractToGcsProperties, continuation?: unknown): Promise<ExtractToGcsOutputs | Suspend> {
  const location = locationOf(ctx);
  const api = connect(ctx, p, location);
  const source = tableReference(p.sourceTable, api.projectId, { ...location, property: 'sourceTable' });
  const extract: Record<string, unknown> = { sourceTable: source, destinationUris: p.destinationUris };
  if (p.compression) extract.compression = p.compression;
  if (p.fieldDelimiter !== undefined) extract.fieldDelimiter = p.fieldDelimiter;
  if (p.format) extract.destinationFormat = p.format;
  if (p.printHeader !== undefined) extract.printHeader = p.printHeader;
  if (p.useAvroLogicalTypes !== undefined) extract.useAvroLogicalTypes = p.useAvroLogicalTypes;
  const configuration: Record<string, unknown> = { extract, labels: { ...p.labels, ...kestraLabels(ctx) } };
  if (p.jobTimeoutMs !== undefined) configuration.jobTimeoutMs = String(p.jobTimeoutMs);
  ctx.logger.debug(`Starting extract of '${nameOf(source)}' to ${p.destinationUris.join(', ')}`);
  const done = await runJob(ctx, api, {
    what: `BigQuery extract of '${nameOf(source)}'`, configuration, retry: retrySettings(p), location: { ...location, property: 'sourceTable' },
    propertyOf: (f) => (f.errors.some((e) => /gs:\/\//.test(e.message)) ? 'destinationUris' : undefined),
  }, continuation);
  if (isSuspend(done)) return done;
  const counts = done.statistics?.extract?.destinationUriFileCounts as string[] | undefined;
  const fileCounts = counts?.map(Number);
  if (fileCounts) ctx.metrics.counter('output.file_counts', fileCounts.reduce((a, b) => a + b, 0));
  return { jobId: done.jobReference.jobId, sourceTable: source.tableId, destinationUris: p.destinationUris, ...(fileCounts ? { fileCounts } : {}) };
}

export async function runCopy(ctx: TaskContext, p: CopyProperties, continuation?: unknown): Promise<CopyOutputs | Suspend> {
  const location = locationOf(ctx);
  const api = connect(ctx, p, location);
  const dest = tableReference(p.destinationTable, api.projectId, { ...location, property: 'destinationTable' });
  const sources = p.sourceTables.map((t) => tableReference(t, api.projectId, { ...location, property: 'sourceTables' }));
  const copy: Record<string, unknown> = { sourceTables: sources, destinationTable: dest };
  if (p.writeDisposition) copy.writeDisposition = p.writeDisposition;
  if (p.createDisposition) copy.createDisposition = p.createDisposition;
  if (p.operationType) copy.operationType = p.operationType;
  const configuration: Record<string, unknown> = { copy, labels: { ...p.labels, ...kestraLabels(ctx) } };
  if (p.jobTimeout) configuration.jobTimeoutMs = String(parseDurationMs(p.jobTimeout));
  if (p.dryRun) configuration.dryRun = true;
  ctx.logger.debug(`Starting copy from ${sources.map(nameOf).join(', ')} to '${nameOf(dest)}'`);
  const done = await runJob(ctx, api, {
    what: `BigQuery copy into '${nameOf(dest)}'`, configuration, retry: retrySettings(p), location: { ...location, property: 'sourceTables' },
    propertyOf: (f) => (f.errors.some((e) => mentions(e.message, dest)) ? 'destinationTable' : undefined),
  }, continuation);
  if (isSuspend(done)) return done;
  const children = done.statistics?.numChildJobs;
  if (children !== undefined) ctx.metrics.counter('num.child.jobs', Number(children));
  return { jobId: done.jobReference.jobId };
}
