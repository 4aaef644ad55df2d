// CreateDataset, UpdateDataset, DeleteDataset, CreateTable, UpdateTable, DeleteTable and TableMetadata: single REST calls on
// datasets and tables, under the same automatic retry as jobs (a rate limit heals the same way).
import { parseDurationMs } from '../../../model/duration';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { connect, type BigQueryApi } from './client';
import { BigQueryFailure, abortError, sleep, taskError } from './errors';
import { isRetryable, nextDelayMs, retrySettings, type RetrySettings } from './retry';
import type {
  CreateTableProperties, DatasetOutputs, DatasetProperties, DeleteDatasetProperties, DeleteTableProperties, TableMetadataProperties, TableOutputs,
  UpdateDatasetProperties, UpdateTableProperties,
} from './properties';

export interface TableReference {
  projectId: string;
  datasetId: string;
  tableId: string;
}

/** `project.dataset.table` or `dataset.table` (Kestra's BigQueryService.tableId). */
export function tableReference(name: string, defaultProject: string, location: ErrorLocation): TableReference {
  const parts = name.split('.');
  if (parts.length === 2) return { projectId: defaultProject, datasetId: parts[0], tableId: parts[1] };
  if (parts.length === 3) return { projectId: parts[0], datasetId: parts[1], tableId: parts[2] };
  throw new AloftError(ErrorCode.TASK_FAILED, `Invalid table name '${name}': expected project.dataset.table or dataset.table`, location);
}

const locationOf = (ctx: TaskContext, property?: string): ErrorLocation => ({
  flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId, ...(property ? { property } : {}),
});

/** One call, retried as jobs are (retryAuto, retryReasons, retryMessages). */
async function withRetry<T>(ctx: TaskContext, retry: RetrySettings, what: string, location: ErrorLocation, call: () => Promise<T>): Promise<T> {
  const startedAt = ctx.now().getTime();
  for (let made = 1; ; made++) {
    try {
      return await call();
    } catch (err) {
      if (ctx.signal.aborted) throw abortError(ctx.signal);
      if (!(err instanceof BigQueryFailure)) throw err;
      const elapsed = ctx.now().getTime() - startedAt;
      const delay = isRetryable(err, retry) ? nextDelayMs(retry.policy, made, elapsed, ctx.taskRun.id) : undefined;
      if (delay === undefined) throw taskError(err, what, location);
      ctx.logger.warn(`Retrying, attempts ${made} elapsed ${Math.round(elapsed / 1000)} seconds: ${err.message}`);
      await sleep(delay, ctx.signal);
    }
  }
}

const ds = (name: string) => `/datasets/${encodeURIComponent(name)}`;
const tb = (dataset: string, table: string) => `${ds(dataset)}/tables/${encodeURIComponent(table)}`;

interface DatasetResource {
  datasetReference: { projectId: string; datasetId: string };
  friendlyName?: string;
  description?: string;
  location?: string;
}

const datasetOutputs = (d: DatasetResource): DatasetOutputs => ({
  datasetId: d.datasetReference.datasetId, project: d.datasetReference.projectId,
  ...(d.friendlyName !== undefined ? { friendlyName: d.friendlyName } : {}),
  ...(d.description !== undefined ? { description: d.description } : {}),
  ...(d.location !== undefined ? { location: d.location } : {}),
});

function datasetBody(p: UpdateDatasetProperties, projectId: string): Record<string, unknown> {
  const body: Record<string, unknown> = { datasetReference: { projectId, datasetId: p.name } };
  if (p.location) body.location = p.location;
  if (p.description !== undefined) body.description = p.description;
  if (p.friendlyName !== undefined) body.friendlyName = p.friendlyName;
  if (p.defaultTableLifetime !== undefined) body.defaultTableExpirationMs = String(p.defaultTableLifetime * 1000);
  if (p.defaultPartitionExpirationMs !== undefined) body.defaultPartitionExpirationMs = String(p.defaultPartitionExpirationMs);
  if (p.labels) body.labels = p.labels;
  return body;
}

export async function createDataset(ctx: TaskContext, p: DatasetProperties): Promise<DatasetOutputs> {
  const location = locationOf(ctx, 'name');
  const api = connect(ctx, p, locationOf(ctx));
  const body = datasetBody(p, api.projectId);
  const retry = retrySettings(p);
  const ifExists = p.ifExists ?? 'ERROR';
  try {
    return datasetOutputs(await withRetry(ctx, retry, `BigQuery CreateDataset '${p.name}'`, location, () => api.call<DatasetResource>('POST', '/datasets', { body })));
  } catch (err) {
    if (!(err instanceof AloftError) || ifExists === 'ERROR' || !/duplicate|already exists/i.test(err.message)) throw err;
  }
  if (ifExists === 'UPDATE') {
    ctx.logger.info(`Dataset '${p.name}' exists; updating it`);
    return datasetOutputs(await withRetry(ctx, retry, `BigQuery UpdateDataset '${p.name}'`, location, () => api.call<DatasetResource>('PATCH', ds(p.name), { body })));
  }
  ctx.logger.info(`Dataset '${p.name}' exists; skipping`);
  return datasetOutputs(await withRetry(ctx, retry, `BigQuery dataset '${p.name}'`, location, () => api.call<DatasetResource>('GET', ds(p.name))));
}

/** UpdateDataset: patches the properties given (datasets.patch); a dataset that does not exist fails. */
export async function updateDataset(ctx: TaskContext, p: UpdateDatasetProperties): Promise<DatasetOutputs> {
  const api = connect(ctx, p, locationOf(ctx));
  ctx.logger.debug(`Updating dataset '${p.name}'`);
  return datasetOutputs(await withRetry(ctx, retrySettings(p), `BigQuery UpdateDataset '${p.name}'`, locationOf(ctx, 'name'),
    () => api.call<DatasetResource>('PATCH', ds(p.name), { body: datasetBody(p, api.projectId) })));
}

export async function deleteDataset(ctx: TaskContext, p: DeleteDatasetProperties): Promise<{ dataset: string }> {
  const api = connect(ctx, p, locationOf(ctx));
  await withRetry(ctx, retrySettings(p), `BigQuery DeleteDataset '${p.name}'`, locationOf(ctx, 'name'),
    () => api.call('DELETE', ds(p.name), { qs: p.deleteContents ? { deleteContents: true } : undefined }));
  return { dataset: p.name };
}

interface TableResource {
  tableReference: TableReference;
  friendlyName?: string;
  description?: string;
  labels?: Record<string, string>;
  numRows?: string;
  numBytes?: string;
  creationTime?: string;
  location?: string;
  schema?: unknown;
}

const intOf = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

function tableOutputs(t: TableResource): TableOutputs {
  const out: TableOutputs = { projectId: t.tableReference.projectId, datasetId: t.tableReference.datasetId, table: t.tableReference.tableId };
  if (t.friendlyName !== undefined) out.friendlyName = t.friendlyName;
  if (t.description !== undefined) out.description = t.description;
  if (t.labels) out.labels = t.labels;
  if (t.numRows !== undefined) out.numRows = intOf(t.numRows);
  if (t.numBytes !== undefined) out.numBytes = intOf(t.numBytes);
  if (t.creationTime !== undefined) out.creationTime = new Date(Number(t.creationTime)).toISOString();
  if (t.location !== undefined) out.location = t.location;
  if (t.schema !== undefined) out.schema = t.schema;
  return out;
}

function tableBody(ctx: TaskContext, p: CreateTableProperties, projectId: string): Record<string, unknown> {
  const def = p.tableDefinition ?? {};
  const body: Record<string, unknown> = { tableReference: { projectId, datasetId: p.dataset, tableId: p.table } };
  if (def.schema) body.schema = def.schema;
  if (def.viewDefinition) body.view = { query: def.viewDefinition.query, useLegacySql: false };
  if (def.standardTableDefinition?.clustering) body.clustering = { fields: def.standardTableDefinition.clustering };
  if (p.friendlyName !== undefined) body.friendlyName = p.friendlyName;
  if (p.description !== undefined) body.description = p.description;
  if (p.labels) body.labels = p.labels;
  if (p.expirationDuration) body.expirationTime = String(ctx.now().getTime() + (parseDurationMs(p.expirationDuration) ?? 0));
  return body;
}

export async function createTable(ctx: TaskContext, p: CreateTableProperties): Promise<TableOutputs> {
  const api = connect(ctx, p, locationOf(ctx));
  const body = tableBody(ctx, p, api.projectId);
  const t = await withRetry(ctx, retrySettings(p), `BigQuery CreateTable '${p.dataset}.${p.table}'`, locationOf(ctx, 'table'),
    () => api.call<TableResource>('POST', `${ds(p.dataset)}/tables`, { body }));
  return tableOutputs(t);
}

/**
 * UpdateTable: patches the properties given (tables.patch); what is not given keeps its value, as
 * Kestra's read-then-update does. A table that does not exist fails.
 */
export async function updateTable(ctx: TaskContext, p: UpdateTableProperties): Promise<TableOutputs> {
  const api = connect(ctx, p, locationOf(ctx));
  ctx.logger.debug(`Updating table metadata '${p.dataset}.${p.table}'`);
  const t = await withRetry(ctx, retrySettings(p), `BigQuery UpdateTable '${p.dataset}.${p.table}'`, locationOf(ctx, 'table'),
    () => api.call<TableResource>('PATCH', tb(p.dataset, p.table), { body: tableBody(ctx, p, api.projectId) }));
  return tableOutputs(t);
}

export async function tableMetadata(ctx: TaskContext, p: TableMetadataProperties): Promise<TableOutputs> {
  const api: BigQueryApi = connect(ctx, p, locationOf(ctx));
  try {
    return tableOutputs(await withRetry(ctx, retrySettings(p), `BigQuery TableMetadata '${p.dataset}.${p.table}'`, locationOf(ctx, 'table'),
      () => api.call<TableResource>('GET', tb(p.dataset, p.table))));
  } catch (err) {
    if (p.ifNotExists === 'SKIP' && err instanceof AloftError && /notFound/.test(err.message)) return { projectId: api.projectId, datasetId: p.dataset, table: p.table };
    throw err;
  }
}

export async function deleteTable(ctx: TaskContext, p: DeleteTableProperties): Promise<{ projectId: string; datasetId: string; table: string }> {
  const api = connect(ctx, p, locationOf(ctx));
  await withRetry(ctx, retrySettings(p), `BigQuery DeleteTable '${p.dataset}.${p.table}'`, locationOf(ctx, 'table'),
    () => api.call('DELETE', tb(p.dataset, p.table)));
  return { projectId: api.projectId, datasetId: p.dataset, table: p.table };
}
