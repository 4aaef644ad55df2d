// The targets of kestra-io/plugin-singer's last version (0.24) beside AdswerveBigQuery and
// GenericTarget (./kinds.ts), as their Java classes build config.json. Kestra's own oddities are
// kept: PipelinewiseRedshift's camelCase `addMetadataColumns` and `hardDelete` keys, and the
// text "true"/"false" (or "True"/"False") some targets take for booleans.
import { z } from 'zod';
import { Duration, parseDurationMs } from '../../model/duration';
import { defined, kindOf, type SingerKind } from './kinds';
import { target } from './properties';

const props = <T extends z.ZodRawShape>(shape: T) => z.object({ ...target, ...shape }).strict();
const str = z.string().min(1);
const opt = z.string().optional();
const int = z.number().int();
const bool = z.boolean().optional();

const text = (b: boolean | undefined): string | undefined => (b === undefined ? undefined : String(b));
/** Java's StringUtils.capitalize(Boolean.toString()): Python's spelling. */
const pythonic = (b: boolean | undefined): string | undefined => (b === undefined ? undefined : b ? 'True' : 'False');

/** Csv's files are `<stream>-<timestamp>.csv`, Json's `<stream>.jsonl`: the stream is the name before the last `-` or `.`. */
const before = (sep: string) => (file: string): string => file.split(sep).slice(0, -1).join(sep);

const csv = kindOf('targets.Csv', props({ delimiter: opt, quoteCharacters: opt }), {
  pip: ['git+https://github.com/hotgluexyz/target-csv.git@0.3.6'], command: 'target-csv', features: [],
  config: (p, dir) => ({ delimiter: p.delimiter ?? ',', quotechar: p.quoteCharacters ?? '"', destination_path: `${dir}/destination` }),
  destination: { dir: 'destination', streamOf: before('-') },
});

const json = kindOf('targets.Json', props({}), {
  pip: ['target-jsonl'], command: 'target-jsonl', features: [],
  config: (_p, dir) => ({ do_timestamp_file: false, destination_path: `${dir}/destination` }),
  destination: { dir: 'destination', streamOf: before('.') },
});

const datamillPostgres = kindOf('targets.DatamillCoPostgres', props({
  host: str, username: str, password: opt, dbName: opt, port: int, schema: opt, sslMode: opt, invalidRecordsDetect: bool,
  invalidRecordsThreshold: int.optional(), loggingLevel: opt, persistEmptyTables: bool, maxBatchRows: int.optional(),
  maxBufferSize: int.optional(), batchDetectionThreshold: int.optional(), addUpsertIndexes: bool, beforeRunSql: opt, afterRunSql: opt,
}), {
  pip: ['singer-target-postgres'], command: 'target-postgres', features: [],
  config: (p) => defined({
    postgres_username: p.username, postgres_password: p.password ?? null, postgres_host: p.host, postgres_port: p.port,
    postgres_database: p.dbName ?? null, postgres_schema: p.schema ?? 'public', postgres_sslmode: p.sslMode ?? 'prefer',
    invalid_records_detect: p.invalidRecordsDetect ?? true, invalid_records_threshold: p.invalidRecordsThreshold ?? 0,
    disable_collection: true, logging_level: p.loggingLevel ?? 'INFO', persist_empty_tables: p.persistEmptyTables ?? false,
    max_batch_rows: p.maxBatchRows ?? 200000, max_buffer_size: p.maxBufferSize ?? 104857600, state_support: true,
    add_upsert_indexes: p.addUpsertIndexes ?? true, batch_detection_threshold: p.batchDetectionThreshold,
    before_run_sql: p.beforeRunSql, after_run_sql: p.afterRunSql,
  }),
});

const meltanoSnowflake = kindOf('targets.MeltanoSnowflake', props({
  account: str, database: str, username: str, password: z.string(), warehouse: str, schema: str, role: opt,
  addRecordMetadata: bool, defaultTargetSchema: opt, flatteningEnabled: bool, flatteningMaxDepth: int.optional(),
}), {
  pip: ['meltanolabs-target-snowflake'], command: 'target-snowflake', features: [],
  config: (p) => defined({
    account: p.account, database: p.database, username: p.username, password: p.password, warehouse: p.warehouse, schema: p.schema,
    add_record_metadata: String(p.addRecordMetadata ?? true), role: p.role, default_target_schema: p.defaultTargetSchema,
    flattening_enabled: text(p.flatteningEnabled), flattening_max_depth: p.flatteningMaxDepth,
  }),
});

const streamMapping = {
  preferFloatOverNumeric: bool, streamMaps: opt, streamMapConfig: opt, flatteningEnabled: bool, flatteningMaxDepth: int.optional(),
};
type StreamMapping = { preferFloatOverNumeric?: boolean; streamMaps?: string; streamMapConfig?: string; flatteningEnabled?: boolean; flatteningMaxDepth?: number };
const streamMappingConfig = (p: StreamMapping): Record<string, unknown> => ({
  prefer_float_over_numeric: pythonic(p.preferFloatOverNumeric), stream_maps: p.streamMaps, stream_map_config: p.streamMapConfig,
  flattening_enabled: pythonic(p.flatteningEnabled), flattening_max_depth: p.flatteningMaxDepth,
});

const oracle = kindOf('targets.Oracle', props({
  host: str, database: opt, port: int, username: str, password: z.string(), driverName: opt, ...streamMapping,
}), {
  pip: ['oracledb', 'git+https://github.com/kestra-io/target-oracle.git'], command: 'target-oracle', features: [],
  config: (p) => defined({
    user: p.username, password: p.password, host: p.host, port: String(p.port), database: p.database ?? null, driver_name: p.driverName,
    ...streamMappingConfig(p),
  }),
});

const sqlServer = kindOf('targets.SqlServer', props({
  host: str, database: str, port: int, username: str, password: z.string(), defaultTargetSchema: opt, tablePrefix: opt, ...streamMapping,
}), {
  pip: ['target-mssql'], command: 'target-mssql', features: [],
  config: (p) => defined({
    username: p.username, password: p.password, host: p.host, port: String(p.port), database: p.database,
    default_target_schema: p.defaultTargetSchema, table_prefix: p.tablePrefix, ...streamMappingConfig(p),
  }),
});

const loading = {
  batchSizeRows: int.optional(), flushAllStreams: bool, parallelism: int.optional(), addMetadataColumns: bool, hardDelete: bool,
  dataFlatteningMaxLevel: int.optional(), primaryKeyRequired: bool, validateRecords: bool,
};

const pipelinewisePostgres = kindOf('targets.PipelinewisePostgres', props({
  host: str, username: str, password: opt, dbName: opt, port: int, maxParallelism: int.optional(), ...loading,
  defaultTargetSchema: opt, defaultTargetSchemaSelectPermission: opt,
}), {
  pip: ['pipelinewise-target-postgres'], command: 'target-postgres', features: [],
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port, dbname: p.dbName ?? null,
    batch_size_rows: p.batchSizeRows ?? 100000, flush_all_streams: p.flushAllStreams ?? false, parallelism: p.parallelism ?? 0,
    max_parallelism: p.maxParallelism ?? 16, add_metadata_columns: p.addMetadataColumns ?? false, hard_delete: p.hardDelete ?? false,
    data_flattening_max_level: p.dataFlatteningMaxLevel ?? 0, primary_key_required: p.primaryKeyRequired ?? true,
    validate_records: p.validateRecords ?? false, default_target_schema: p.defaultTargetSchema,
    // As Kestra: only with a default target schema.
    default_target_schema_select_permission: p.defaultTargetSchema !== undefined ? p.defaultTargetSchemaSelectPermission : undefined,
  }),
});

const redshift = kindOf('targets.PipelinewiseRedshift', props({
  host: str, username: str, password: opt, dbName: str, port: int, s3Bucket: str, defaultTargetSchema: str,
  accessKeyId: opt, secretAccessKey: opt, sessionToken: opt, redshiftCopyRoleArn: opt, s3Acl: opt, s3KeyPrefix: opt, copyOptions: opt,
  maxParallelism: int.optional(), defaultTargetSchemaSelectPermissions: opt, schema_mapping: opt, disableTableCache: bool,
  skipUpdates: bool, compression: z.enum(['gzip', 'bzip2']).optional(), slices: int.optional(), ...loading,
}), {
  pip: ['pipelinewise-target-redshift'], command: 'target-redshift', features: [],
  // schema_mapping is a property Kestra accepts and never writes.
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port, dbname: p.dbName, s3_bucket: p.s3Bucket,
    default_target_schema: p.defaultTargetSchema, batch_size_rows: p.batchSizeRows ?? 100000, flush_all_streams: p.flushAllStreams ?? false,
    parallelism: p.parallelism ?? 0, max_parallelism: p.maxParallelism ?? 16, disable_table_cache: p.disableTableCache ?? false,
    addMetadataColumns: p.addMetadataColumns ?? false, hardDelete: p.hardDelete ?? false,
    data_flattening_max_level: p.dataFlatteningMaxLevel ?? 0, primary_key_required: p.primaryKeyRequired ?? true,
    validate_records: p.validateRecords ?? false, skip_updates: p.skipUpdates ?? false, compression: p.compression ?? 'bzip2',
    slices: p.slices ?? 1, aws_access_key_id: p.accessKeyId, aws_secret_access_key: p.secretAccessKey, aws_session_token: p.sessionToken,
    aws_redshift_copy_role_arn: p.redshiftCopyRoleArn, s3_acl: p.s3Acl, s3_key_prefix: p.s3KeyPrefix, copy_options: p.copyOptions,
    default_target_schema_select_permissions: p.defaultTargetSchemaSelectPermissions,
  }),
});

const snowflake = kindOf('targets.PipelinewiseSnowflake', props({
  account: str, database: str, username: str, password: opt, warehouse: str, role: opt,
  awsAccessKeyId: opt, awsSecretAccessKey: opt, awsSessionToken: opt, awsProfile: opt, s3Bucket: opt, s3KeyPrefix: opt,
  s3EndpointUrl: opt, s3RegionName: opt, s3Acl: opt, stage: opt, fileFormat: opt, batchWaitLimit: Duration.optional(),
  parallelismMax: int.optional(), defaultTargetSchema: opt, defaultTargetSchemaSelectPermission: opt, schemaMapping: opt,
  disableTableCache: bool, clientSideEncryptionMasterKey: opt, noCompression: bool, queryTag: opt, archiveLoadFiles: bool,
  archiveLoadFilesS3Prefix: opt, archiveLoadFilesS3Bucket: opt, ...loading,
}), {
  // Kestra's package name ends with a newline, which pip would not take.
  pip: ['pipelinewise-target-snowflake'], command: 'target-snowflake', features: [],
  config: (p) => defined({
    account: p.account, dbname: p.database, user: p.username, password: p.password ?? null, warehouse: p.warehouse, role: p.role,
    aws_access_key_id: p.awsAccessKeyId, aws_secret_access_key: p.awsSecretAccessKey, aws_session_token: p.awsSessionToken,
    aws_profile: p.awsProfile, s3_bucket: p.s3Bucket, s3_key_prefix: p.s3KeyPrefix, s3_endpoint_url: p.s3EndpointUrl,
    s3_region_name: p.s3RegionName, s3_acl: p.s3Acl, stage: p.stage, file_format: p.fileFormat, batch_size_rows: p.batchSizeRows ?? 100000,
    batch_wait_limit_seconds: p.batchWaitLimit !== undefined ? Math.floor((parseDurationMs(p.batchWaitLimit) ?? 0) / 1000) : undefined,
    flush_all_streams: String(p.flushAllStreams ?? false), parallelism: p.parallelism ?? 0, parallelism_max: p.parallelismMax ?? 16,
    default_target_schema: p.defaultTargetSchema, default_target_schema_select_permission: p.defaultTargetSchemaSelectPermission,
    schema_mapping: p.schemaMapping, disable_table_cache: String(p.disableTableCache ?? false),
    client_side_encryption_master_key: p.clientSideEncryptionMasterKey, add_metadata_columns: String(p.addMetadataColumns ?? false),
    hard_delete: String(p.hardDelete ?? false), data_flattening_max_level: p.dataFlatteningMaxLevel ?? 0,
    primary_key_required: String(p.primaryKeyRequired ?? true), validate_records: String(p.validateRecords ?? false),
    no_compression: String(p.noCompression ?? false), query_tag: p.queryTag, archive_load_files: String(p.archiveLoadFiles ?? false),
    archive_load_files_s3_prefix: p.archiveLoadFilesS3Prefix, archive_load_files_s3_bucket: p.archiveLoadFilesS3Bucket,
  }),
});

export const TARGET_KINDS: readonly SingerKind<any>[] = [
  csv, json, datamillPostgres, meltanoSnowflake, oracle, sqlServer, pipelinewisePostgres, redshift, snowflake,
];
