// Properties and outputs of the BigQuery tasks, with kestra-io/plugin-gcp's names and defaults
// (AbstractBigquery, Query, AbstractLoad/Load, the dataset and table tasks).
import { z } from 'zod';
import { Duration } from '../../../model/duration';
import { Retry } from '../../../model/retry';
import { gcpProperties } from '../credentials';

const Bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const Int = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number)]);
/** project.dataset.table or dataset.table */
export const TableName = z.string().regex(/^([A-Za-z0-9_.:-]+\.)?[A-Za-z0-9_]+\.[^.\s]+$/, 'expected project.dataset.table or dataset.table');

export const bigqueryProperties = {
  ...gcpProperties,
  location: z.string().min(1).optional(),
  retryAuto: Retry.optional(),
  retryReasons: z.array(z.string()).optional(),
  retryMessages: z.array(z.string()).optional(),
};

export const WriteDisposition = z.enum(['WRITE_TRUNCATE', 'WRITE_APPEND', 'WRITE_EMPTY']);
export const CreateDisposition = z.enum(['CREATE_IF_NEEDED', 'CREATE_NEVER']);
export const SchemaUpdateOption = z.enum(['ALLOW_FIELD_ADDITION', 'ALLOW_FIELD_RELAXATION']);
export const FetchType = z.enum(['FETCH_ONE', 'FETCH', 'STORE', 'NONE']);
export type FetchType = z.infer<typeof FetchType>;

export const QueryProperties = z.object({
  ...bigqueryProperties,
  sql: z.string().min(1),
  legacySql: Bool.optional(),
  useLegacySql: Bool.optional(),
  fetch: Bool.optional(),
  store: Bool.optional(),
  fetchOne: Bool.optional(),
  fetchType: FetchType.optional(),
  destinationTable: TableName.optional(),
  clusteringFields: z.array(z.string()).optional(),
  schemaUpdateOptions: z.array(SchemaUpdateOption).optional(),
  timePartitioningField: z.string().optional(),
  writeDisposition: WriteDisposition.optional(),
  createDisposition: CreateDisposition.optional(),
  jobTimeout: Duration.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  defaultDataset: z.string().optional(),
  priority: z.enum(['INTERACTIVE', 'BATCH']).optional(),
  allowLargeResults: Bool.optional(),
  useQueryCache: Bool.optional(),
  flattenResults: Bool.optional(),
  dryRun: Bool.optional(),
  maximumBillingTier: Int.optional(),
  maximumBytesBilled: Int.optional(),
  maxResults: Int.optional(),
}).strict();
export type QueryProperties = z.infer<typeof QueryProperties>;

/** What a query keeps of its rows: the 0.4 booleans win over 1.x's `fetchType`, as in Kestra. */
export function fetchTypeOf(p: Pick<QueryProperties, 'fetch' | 'fetchOne' | 'store' | 'fetchType'>): FetchType {
  if (p.store) return 'STORE';
  if (p.fetch) return 'FETCH';
  if (p.fetchOne) return 'FETCH_ONE';
  return p.fetchType ?? 'NONE';
}

const Table = z.object({ project: z.string(), dataset: z.string(), table: z.string() });

export const QueryOutputs = z.object({
  jobId: z.string(),
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  row: z.record(z.string(), z.unknown()).optional(),
  size: z.number().int().nonnegative().optional(),
  uri: z.string().optional(),
  destinationTable: Table.optional(),
}).strict();
export type QueryOutputs = z.infer<typeof QueryOutputs>;

export const SchemaField: z.ZodType<{ name: string; type: string; mode?: string; description?: string; fields?: unknown[] }> = z.lazy(() => z.object({
  name: z.string().min(1),
  type: z.string().min(1),
  mode: z.enum(['NULLABLE', 'REQUIRED', 'REPEATED']).optional(),
  description: z.string().optional(),
  fields: z.array(SchemaField).optional(),
}).strict());
export const TableSchema = z.object({ fields: z.array(SchemaField) }).strict();

export const LoadProperties = z.object({
  ...bigqueryProperties,
  from: z.string().min(1),
  destinationTable: TableName,
  format: z.enum(['CSV', 'JSON', 'AVRO', 'PARQUET', 'ORC']),
  writeDisposition: WriteDisposition.optional(),
  createDisposition: CreateDisposition.optional(),
  clusteringFields: z.array(z.string()).optional(),
  schemaUpdateOptions: z.array(SchemaUpdateOption).optional(),
  timePartitioningField: z.string().optional(),
  timePartitioningType: z.enum(['DAY', 'HOUR', 'MONTH', 'YEAR']).optional(),
  autodetect: Bool.optional(),
  ignoreUnknownValues: Bool.optional(),
  maxBadRecords: Int.optional(),
  schema: TableSchema.optional(),
  csvOptions: z.object({
    allowJaggedRows: Bool.optional(),
    allowQuotedNewLines: Bool.optional(),
    encoding: z.string().optional(),
    fieldDelimiter: z.string().optional(),
    quote: z.string().optional(),
    skipLeadingRows: Int.optional(),
  }).strict().optional(),
  avroOptions: z.object({ useAvroLogicalTypes: Bool.optional() }).strict().optional(),
}).strict();
export type LoadProperties = z.infer<typeof LoadProperties>;

export const LoadOutputs = z.object({
  jobId: z.string(),
  destinationTable: z.string(),
  rows: z.number().int().nonnegative().optional(),
}).strict();
export type LoadOutputs = z.infer<typeof LoadOutputs>;

export const IfExists = z.enum(['ERROR', 'UPDATE', 'SKIP']);

export const DatasetProperties = z.object({
  ...bigqueryProperties,
  name: z.string().min(1),
  ifExists: IfExists.optional(),
  description: z.string().optional(),
  friendlyName: z.string().optional(),
  defaultTableLifetime: Int.optional(),
  defaultPartitionExpirationMs: Int.optional(),
  labels: z.record(z.string(), z.string()).optional(),
}).strict();
export type DatasetProperties = z.infer<typeof DatasetProperties>;

export const DatasetOutputs = z.object({
  datasetId: z.string(),
  project: z.string(),
  friendlyName: z.string().optional(),
  description: z.string().optional(),
  location: z.string().optional(),
}).strict();
export type DatasetOutputs = z.infer<typeof DatasetOutputs>;

export const DeleteDatasetProperties = z.object({
  ...bigqueryProperties,
  name: z.string().min(1),
  deleteContents: Bool.optional(),
}).strict();
export type DeleteDatasetProperties = z.infer<typeof DeleteDatasetProperties>;

export const DeleteDatasetOutputs = z.object({ dataset: z.string() }).strict();

export const tableRef = {
  ...bigqueryProperties,
  dataset: z.string().min(1),
  table: z.string().min(1),
};

export const CreateTableProperties = z.object({
  ...tableRef,
  tableDefinition: z.object({
    type: z.enum(['TABLE', 'VIEW', 'MATERIALIZED_VIEW', 'EXTERNAL']).optional(),
    schema: TableSchema.optional(),
    standardTableDefinition: z.object({ clustering: z.array(z.string()).optional() }).passthrough().optional(),
    viewDefinition: z.object({ query: z.string() }).passthrough().optional(),
  }).passthrough().optional(),
  friendlyName: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  expirationDuration: Duration.optional(),
}).strict();
export type CreateTableProperties = z.infer<typeof CreateTableProperties>;

export const TableMetadataProperties = z.object({
  ...tableRef,
  ifNotExists: z.enum(['ERROR', 'SKIP']).optional(),
}).strict();
export type TableMetadataProperties = z.infer<typeof TableMetadataProperties>;

export const DeleteTableProperties = z.object({ ...tableRef }).strict();
export type DeleteTableProperties = z.infer<typeof DeleteTableProperties>;

export const TableOutputs = z.object({
  projectId: z.string(),
  datasetId: z.string(),
  table: z.string(),
  friendlyName: z.string().optional(),
  description: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  numRows: z.number().int().optional(),
  numBytes: z.number().int().optional(),
  creationTime: z.string().optional(),
  location: z.string().optional(),
  schema: z.unknown().optional(),
}).strict();
export type TableOutputs = z.infer<typeof TableOutputs>;

export const DeleteTableOutputs = z.object({ projectId: z.string(), datasetId: z.string(), table: z.string() }).strict();

/** A gs:// URI (bucket, then an object name that may hold one `*` wildcard). */
const GcsUri = z.string().regex(/^gs:\/\/[^/]+\/.+$/, 'expected gs://bucket/object');
/** A list, or one value (Kestra's single-value-as-list reading). */
const ListOf = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(item).min(1));

export const LoadFromGcsProperties = LoadProperties.extend({ from: ListOf(GcsUri) }).strict();
export type LoadFromGcsProperties = z.infer<typeof LoadFromGcsProperties>;

export const ExtractToGcsProperties = z.object({
  ...bigqueryProperties,
  sourceTable: TableName,
  destinationUris: ListOf(GcsUri),
  compression: z.enum(['NONE', 'GZIP', 'DEFLATE', 'SNAPPY', 'ZSTD']).optional(),
  fieldDelimiter: z.string().optional(),
  format: z.enum(['CSV', 'NEWLINE_DELIMITED_JSON', 'AVRO', 'PARQUET']).optional(),
  useAvroLogicalTypes: Bool.optional(),
  jobTimeoutMs: Int.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  printHeader: Bool.optional(),
}).strict();
export type ExtractToGcsProperties = z.infer<typeof ExtractToGcsProperties>;

export const ExtractToGcsOutputs = z.object({
  jobId: z.string(),
  sourceTable: z.string(),
  destinationUris: z.array(z.string()),
  fileCounts: z.array(z.number().int().nonnegative()).optional(),
}).strict();
export type ExtractToGcsOutputs = z.infer<typeof ExtractToGcsOutputs>;

export const CopyProperties = z.object({
  ...bigqueryProperties,
  sourceTables: ListOf(TableName),
  destinationTable: TableName,
  operationType: z.enum(['COPY', 'SNAPSHOT', 'RESTORE', 'CLONE']).optional(),
  writeDisposition: WriteDisposition.optional(),
  createDisposition: CreateDisposition.optional(),
  jobTimeout: Duration.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  dryRun: Bool.optional(),
}).strict();
export type CopyProperties = z.infer<typeof CopyProperties>;

export const CopyOutputs = z.object({ jobId: z.string() }).strict();
export type CopyOutputs = z.infer<typeof CopyOutputs>;

/** UpdateDataset takes CreateDataset's properties but `ifExists` (Kestra's AbstractDataset). */
export const UpdateDatasetProperties = DatasetProperties.omit({ ifExists: true }).strict();
export type UpdateDatasetProperties = z.infer<typeof UpdateDatasetProperties>;

/** UpdateTable takes CreateTable's properties (Kestra's AbstractTableCreateUpdate). */
export const UpdateTableProperties = CreateTableProperties;
export type UpdateTableProperties = CreateTableProperties;
