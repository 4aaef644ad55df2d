// Load: uploads a kestra:// file into a table as a load job (the upload endpoint, as the client
// library sends it). Each try re-reads the file from storage, so a retry sends the same data.
import type { ErrorLocation } from '../../../model/errors';
import { isSuspend, type Suspend, type TaskContext } from '../../types';
import { connect } from './client';
import { kestraLabels, runJob } from './jobs';
import type { LoadOutputs, LoadProperties } from './properties';
import { retrySettings } from './retry';
import { tableReference } from './tables';

const SOURCE_FORMAT = { CSV: 'CSV', JSON: 'NEWLINE_DELIMITED_JSON', AVRO: 'AVRO', PARQUET: 'PARQUET', ORC: 'ORC' } as const;

/** The `load` part of a load job's configuration (shared with LoadFromGcs, which adds sourceUris). */
export function loadConfiguration(p: Omit<LoadProperties, 'from'>, destinationTable: object): Record<string, unknown> {
  const load: Record<string, unknown> = { destinationTable, sourceFormat: SOURCE_FORMAT[p.format] };
  if (p.clusteringFields) load.clustering = { fields: p.clusteringFields };
  if (p.schemaUpdateOptions) load.schemaUpdateOptions = p.schemaUpdateOptions;
  if (p.timePartitioningField) load.timePartitioning = { type: p.timePartitioningType ?? 'DAY', field: p.timePartitioningField };
  if (p.writeDisposition) load.writeDisposition = p.writeDisposition;
  if (p.createDisposition) load.createDisposition = p.createDisposition;
  if (p.autodetect !== undefined) load.autodetect = p.autodetect;
  if (p.ignoreUnknownValues !== undefined) load.ignoreUnknownValues = p.ignoreUnknownValues;
  if (p.maxBadRecords !== undefined) load.maxBadRecords = p.maxBadRecords;
  if (p.schema) load.schema = p.schema;
  if (p.format === 'CSV' && p.csvOptions) {
    const c = p.csvOptions;
    if (c.allowJaggedRows !== undefined) load.allowJaggedRows = c.allowJaggedRows;
    if (c.allowQuotedNewLines !== undefined) load.allowQuotedNewlines = c.allowQuotedNewLines;
    if (c.encoding !== undefined) load.encoding = c.encoding;
    if (c.fieldDelimiter !== undefined) load.fieldDelimiter = c.fieldDelimiter;
    if (c.quote !== undefined) load.quote = c.quote;
    if (c.skipLeadingRows !== undefined) load.skipLeadingRows = c.skipLeadingRows;
  }
  if (p.format === 'AVRO' && p.avroOptions?.useAvroLogicalTypes !== undefined) load.useAvroLogicalTypes = p.avroOptions.useAvroLogicalTypes;
  return load;
}

export async function runLoad(ctx: TaskContext, p: LoadProperties, continuation?: unknown): Promise<LoadOutputs | Suspend> {
  const location: ErrorLocation = { flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId };
  const api = connect(ctx, p, location);
  const dest = tableReference(p.destinationTable, api.projectId, { ...location, property: 'destinationTable' });
  const load = loadConfiguration(p, dest);
  // The file must exist before any job is created: a wrong `from` is the user's, not BigQuery's.
  (await ctx.storage.get(p.from)).destroy();
  const configuration = { load, labels: kestraLabels(ctx) };
  const done = await runJob(ctx, api, {
    what: `BigQuery load into '${dest.projectId}.${dest.datasetId}.${dest.tableId}'`,
    configuration,
    submit: (ref) => api.upload(ref, configuration, () => ctx.storage.get(p.from)),
    retry: retrySettings(p), location: { ...location, property: 'destinationTable' },
  }, continuation);
  if (isSuspend(done)) return done;
  const rows = done.statistics?.load?.outputRows;
  ctx.metrics.counter('output.rows', Number(rows ?? 0));
  return {
    jobId: done.jobReference.jobId,
    destinationTable: `${dest.projectId}.${dest.datasetId}.${dest.tableId}`,
    ...(rows !== undefined ? { rows: Number(rows) } : {}),
  };
}
