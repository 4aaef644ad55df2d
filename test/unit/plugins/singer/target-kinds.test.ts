import { TARGET_KINDS } from '../../../../lib/plugins/singer/target-kinds';

const kind = (name: string) => {
  const k = TARGET_KINDS.find((x) => x.type === `io.kestra.plugin.singer.targets.${name}`);
  if (!k) throw new Error(`no target ${name}`);
  return k;
};
function mapped(name: string, props: Record<string, unknown>) {
  const k = kind(name);
  const p = k.properties.parse({ from: 'kestra:///raw', ...props });
  return { config: k.config(p, '/w'), pip: k.pipPackages(p), command: k.command(p) };
}

describe('the catalogue targets', () => {
  it('are the targets of plugin-singer\'s last version but AdswerveBigQuery and GenericTarget', () => {
    expect(TARGET_KINDS.map((k) => k.type.replace('io.kestra.plugin.singer.targets.', '')).sort()).toEqual([
      'Csv', 'DatamillCoPostgres', 'Json', 'MeltanoSnowflake', 'Oracle', 'PipelinewisePostgres', 'PipelinewiseRedshift', 'PipelinewiseSnowflake', 'SqlServer',
    ]);
    expect(TARGET_KINDS.every((k) => k.role === 'target')).toBe(true);
  });

  it('write Csv and Json files into a destination folder whose files become uris by stream', () => {
    expect(mapped('Csv', {})).toEqual({
      config: { delimiter: ',', quotechar: '"', destination_path: '/w/destination' },
      pip: ['git+https://github.com/hotgluexyz/target-csv.git@0.3.6'], command: 'target-csv',
    });
    expect(kind('Csv').destination?.streamOf('public-users-20240101T000000.csv')).toBe('public-users');
    expect(mapped('Json', {})).toEqual({ config: { do_timestamp_file: false, destination_path: '/w/destination' }, pip: ['target-jsonl'], command: 'target-jsonl' });
    expect(kind('Json').destination?.streamOf('commits.jsonl')).toBe('commits');
  });

  it('map the Postgres targets with their defaults', () => {
    expect(mapped('DatamillCoPostgres', { host: 'h', username: 'u', port: 5432 }).config).toEqual({
      postgres_username: 'u', postgres_password: null, postgres_host: 'h', postgres_port: 5432, postgres_database: null, postgres_schema: 'public',
      postgres_sslmode: 'prefer', invalid_records_detect: true, invalid_records_threshold: 0, disable_collection: true, logging_level: 'INFO',
      persist_empty_tables: false, max_batch_rows: 200000, max_buffer_size: 104857600, state_support: true, add_upsert_indexes: true,
    });
    expect(mapped('PipelinewisePostgres', { host: 'h', username: 'u', port: 5432, dbName: 'd', defaultTargetSchema: 's', defaultTargetSchemaSelectPermission: 'g' }).config).toEqual({
      user: 'u', password: null, host: 'h', port: 5432, dbname: 'd', batch_size_rows: 100000, flush_all_streams: false, parallelism: 0,
      max_parallelism: 16, add_metadata_columns: false, hard_delete: false, data_flattening_max_level: 0, primary_key_required: true,
      validate_records: false, default_target_schema: 's', default_target_schema_select_permission: 'g',
    });
  });

  it('map PipelinewiseRedshift with Kestra\'s camelCase keys', () => {
    const c = mapped('PipelinewiseRedshift', { host: 'h', username: 'u', port: 5439, dbName: 'd', s3Bucket: 'b', defaultTargetSchema: 's', accessKeyId: 'k' }).config;
    expect(c).toMatchObject({ addMetadataColumns: false, hardDelete: false, compression: 'bzip2', slices: 1, aws_access_key_id: 'k', s3_bucket: 'b' });
    expect(c).not.toHaveProperty('add_metadata_columns');
  });

  it('map the Snowflake targets, booleans as text as Kestra writes them', () => {
    expect(mapped('PipelinewiseSnowflake', { account: 'a', database: 'd', username: 'u', warehouse: 'w', batchWaitLimit: 'PT1M' })).toMatchObject({
      config: {
        account: 'a', dbname: 'd', user: 'u', password: null, warehouse: 'w', batch_size_rows: 100000, batch_wait_limit_seconds: 60,
        flush_all_streams: 'false', primary_key_required: 'true', archive_load_files: 'false', parallelism_max: 16,
      },
      pip: ['pipelinewise-target-snowflake'],
    });
    expect(mapped('MeltanoSnowflake', { account: 'a', database: 'd', username: 'u', password: 'p', warehouse: 'w', schema: 's', flatteningEnabled: true }).config).toEqual({
      account: 'a', database: 'd', username: 'u', password: 'p', warehouse: 'w', schema: 's', add_record_metadata: 'true', flattening_enabled: 'true',
    });
  });

  it('map Oracle and SqlServer with the port as text and Python booleans', () => {
    expect(mapped('Oracle', { host: 'h', port: 1521, username: 'u', password: 'p', preferFloatOverNumeric: false })).toEqual({
      config: { user: 'u', password: 'p', host: 'h', port: '1521', database: null, prefer_float_over_numeric: 'False' },
      pip: ['oracledb', 'git+https://github.com/kestra-io/target-oracle.git'], command: 'target-oracle',
    });
    expect(mapped('SqlServer', { host: 'h', database: 'd', port: 1433, username: 'u', password: 'p', flatteningEnabled: true, tablePrefix: 't_' }).config).toEqual({
      username: 'u', password: 'p', host: 'h', port: '1433', database: 'd', table_prefix: 't_', flattening_enabled: 'True',
    });
  });

  it('reject a target without its `from`', () => {
    expect(kind('Json').properties.safeParse({}).error?.issues.map((i) => i.path.join('.'))).toEqual(['from']);
  });
});
