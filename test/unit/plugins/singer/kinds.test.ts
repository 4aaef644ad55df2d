import { SINGER_KINDS } from '../../../../lib/plugins/singer/kinds';

const kind = (type: string) => SINGER_KINDS.find((k) => k.type === `io.kestra.plugin.singer.${type}`)!;

describe('Singer kinds', () => {
  it('map GitHub properties to tap-github\'s config as Kestra does', () => {
    const k = kind('taps.GitHub');
    const p = k.properties.parse({ accessToken: 't', repositories: ['a/b', 'c/d'], startDate: '2019-07-01', streamsConfigurations: [{ selected: true }] });
    expect(k.config(p, '/w')).toEqual({ access_token: 't', repository: 'a/b c/d', start_date: '2019-07-01', request_timeout: 300 });
    expect([k.pipPackages(p), k.command(p), k.features(p)]).toEqual([['tap-github'], 'tap-github', ['PROPERTIES', 'DISCOVER', 'STATE']]);
  });

  it('take GitHub repositories as JSON text too, as Kestra\'s last version does, and name the property when it is not a list', () => {
    const k = kind('taps.GitHub');
    const p = k.properties.parse({ accessToken: 't', repositories: '["a/b","c/d"]', startDate: '2019-07-01', streamsConfigurations: [{ selected: true }] });
    expect(k.config(p, '/w')).toMatchObject({ repository: 'a/b c/d' });
    const bad = k.properties.parse({ accessToken: 't', repositories: 'a/b', startDate: '2019-07-01', streamsConfigurations: [{ selected: true }] });
    expect(() => k.config(bad, '/w')).toThrow(expect.objectContaining({ code: 'FLOW_INVALID', location: { property: 'repositories' } }));
  });

  it('map PipelinewiseOracle properties, with a catalog', () => {
    const k = kind('taps.PipelinewiseOracle');
    const p = k.properties.parse({ host: 'h', username: 'u', port: 1521, sid: 'ORCL', filterSchemas: 'S', streamsConfigurations: [{ selected: true }] });
    expect(k.config(p, '/w')).toEqual({ user: 'u', password: null, host: 'h', port: 1521, sid: 'ORCL', filter_schemas: 'S' });
    expect(k.features(p)).toEqual(['CATALOG', 'DISCOVER', 'STATE']);
  });

  it('map AdswerveBigQuery properties, with the key file and table configs beside config.json', () => {
    const k = kind('targets.AdswerveBigQuery');
    const p = k.properties.parse({
      from: 'kestra:///x', projectId: 'p', datasetId: 'd', serviceAccount: '{"k":1}', mergeStateMessages: true, tableConfigs: { t: { partition_field: 'day' } },
    });
    expect(k.config(p, '/w')).toEqual({
      project_id: 'p', dataset_id: 'd', validate_records: false, add_metadata_columns: false, replication_method: 'append', max_cache: 50,
      merge_state_messages: '0', table_config: '/w/table-config.json',
    });
    expect(k.extras!(p, '/w')).toEqual({
      files: { 'table-config.json': '{"t":{"partition_field":"day"}}', 'google-credentials.json': '{"k":1}' },
      env: { GOOGLE_APPLICATION_CREDENTIALS: '/w/google-credentials.json' },
    });
  });

  it('let the generic tap and target take any package, command and config', () => {
    const k = kind('taps.GenericTap');
    const p = k.properties.parse({ pipPackages: ['tap-x==1'], command: 'tap-x', features: ['STATE'], configs: { a: 1 }, streamsConfigurations: [{ selected: true }] });
    expect([k.pipPackages(p), k.command(p), k.features(p), k.config(p, '/w')]).toEqual([['tap-x==1'], 'tap-x', ['STATE'], { a: 1 }]);
    expect(kind('targets.GenericTarget').properties.safeParse({ from: 'u', pipPackages: [], command: 'c' }).success).toBe(false);
  });
});
