import { TAP_KINDS } from '../../../../lib/plugins/singer/tap-kinds';

const kind = (name: string) => {
  const k = TAP_KINDS.find((x) => x.type === `io.kestra.plugin.singer.taps.${name}`);
  if (!k) throw new Error(`no tap ${name}`);
  return k;
};
const SC = { streamsConfigurations: [{ selected: true }] };
/** The config.json, pip packages, command and features a tap gets from these properties. */
function mapped(name: string, props: Record<string, unknown>) {
  const k = kind(name);
  const p = k.properties.parse({ ...SC, ...props });
  return { config: k.config(p, '/w'), pip: k.pipPackages(p), command: k.command(p), features: k.features(p), extras: k.extras?.(p, '/w') };
}

describe('the catalogue taps', () => {
  it('are the taps of plugin-singer\'s last version but GitHub, PipelinewiseOracle and GenericTap', () => {
    expect(TAP_KINDS.map((k) => k.type.replace('io.kestra.plugin.singer.taps.', '')).sort()).toEqual([
      'BigQuery', 'BingAds', 'ChargeBee', 'ExchangeRateHost', 'FacebookAds', 'Fastly', 'Gitlab', 'GoogleAdwords', 'GoogleAnalytics',
      'GoogleSearchConsole', 'HubSpot', 'Marketo', 'Netsuite', 'PipelinewiseMongoDb', 'PipelinewiseMysql', 'PipelinewisePostgres',
      'PipelinewiseSqlServer', 'Quickbooks', 'Recharge', 'Salesforce', 'SageIntacct', 'Shopify', 'Slack', 'Stripe', 'Zendesk', 'Zoom',
    ].sort());
    expect(TAP_KINDS.every((k) => k.role === 'tap')).toBe(true);
  });

  it('map Gitlab with its defaults, groups and projects joined by spaces', () => {
    expect(mapped('Gitlab', { private_token: 't', groups: ['a', 'b'], startDate: '2020-01-01' })).toEqual({
      config: {
        api_url: 'https://gitlab.com', private_token: 't', ultimate_license: false, fetch_merge_request_commits: false,
        fetch_pipelines_extended: false, start_date: '2020-01-01', groups: 'a b',
      },
      pip: ['git+https://gitlab.com/meltano/tap-gitlab.git'], command: 'tap-gitlab', features: ['CATALOG', 'DISCOVER', 'STATE'], extras: undefined,
    });
  });

  it('map BigQuery with the key file, Instant dates and the python protobuf variable', () => {
    const m = mapped('BigQuery', {
      serviceAccount: '{"k":1}', limit: 10, startDateTime: '2023-01-01T00:00:00.000Z',
      streams: [{ name: 's', table: '`p.d.t`', columns: ['a'], datetime_key: 'ts' }],
    });
    expect(m.config).toEqual({
      streams: [{ name: 's', table: '`p.d.t`', columns: ['a'], datetime_key: 'ts' }], start_always_inclusive: true, start_datetime: '2023-01-01T00:00:00Z',
    });
    expect(m.extras).toEqual({
      files: { 'google-credentials.json': '{"k":1}' },
      env: { GOOGLE_APPLICATION_CREDENTIALS: '/w/google-credentials.json', PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION: 'python' },
    });
  });

  it('map GoogleAnalytics to dotted oauth keys and files for the key and the reports', () => {
    const m = mapped('GoogleAnalytics', {
      startDate: '2020-01-01', serviceAccount: '{}', oauthClientId: 'c', view_id: 'v', reports: [{ name: 'r', dimensions: ['ga:date'], metrics: ['ga:users'] }],
    });
    expect(m.config).toEqual({
      start_date: '2020-01-01', key_file_location: '/w/google-credentials.json', 'oauth_credentials.client_id': 'c', view_id: 'v', reports: '/w/reports.json',
    });
    expect(m.extras?.files).toEqual({ 'google-credentials.json': '{}', 'reports.json': '[{"name":"r","dimensions":["ga:date"],"metrics":["ga:users"]}]' });
    expect(m.features).toEqual(['CATALOG', 'DISCOVER']);
  });

  it('map HubSpot as Kestra does, clientId in redirect_uri included', () => {
    expect(mapped('HubSpot', {
      clientId: 'id', clientSecret: 's', refreshToken: 'r', apiKey: 'k', requestTimeout: 30, startDate: '2020-01-01', redirectUri: 'https://x/',
    }).config).toEqual({
      redirect_uri: 'id', start_date: '2020-01-01', client_id: 'id', client_secret: 's', refresh_token: 'r', hapikey: 'k', request_timeout: 30,
    });
  });

  it('map the database taps with their defaults and text booleans where Kestra writes text', () => {
    expect(mapped('PipelinewiseMongoDb', { host: 'h', username: 'u', port: 27017, database: 'd', authDatabase: 'admin' }).config).toEqual({
      user: 'u', password: null, host: 'h', port: 27017, ssl: 'false', verify_mode: 'true', database: 'd', auth_database: 'admin',
      include_schema_in_destination_stream_name: false, update_buffer_size: 1, await_time_ms: 1000,
    });
    const mysql = mapped('PipelinewiseMysql', { host: 'h', username: 'u', password: 'p', port: 3306, filterDbs: ['a', 'b'] });
    expect(mysql.config).toMatchObject({ password: 'p', ssl: false, export_batch_rows: 50000, filter_dbs: 'a,b' });
    expect((mysql.config.session_sqls as string[])[0]).toBe('SET @@session.time_zone="+0:00"');
    expect(mapped('PipelinewisePostgres', { host: 'h', username: 'u', dbName: 'db', port: 5432, filterSchemas: ['public'] }).config).toEqual({
      user: 'u', password: null, host: 'h', port: 5432, dbname: 'db', ssl: false, logical_poll_seconds: 10800, break_at_end_lsn: true,
      max_run_seconds: 43200, debug_lsn: false, filter_dbs: 'public',
    });
    const mssql = mapped('PipelinewiseSqlServer', { host: 'h', database: 'd', port: 1433, username: 'u', password: 'p', characterSet: 'utf8' });
    expect(mssql).toMatchObject({
      config: { host: 'h', port: 1433, user: 'u', password: 'p', database: 'd', use_date_datatype: true, characterset: 'utf8' },
      pip: ['tap-mssql==2.3.1'], features: ['CATALOG', 'DISCOVER', 'STATE', 'PROPERTIES'],
    });
  });

  it('map the SaaS taps', () => {
    expect(mapped('BingAds', {
      developerToken: 'd', oauthClientId: 'i', oauthClientSecret: 's', refreshToken: 'r', customerId: 'c', accountIds: ['1', '2'], startDate: '2020-01-01',
    }).config).toMatchObject({ account_ids: '1,2', customer_id: 'c' });
    expect(mapped('ChargeBee', { apiKey: 'k', site: 's', startDate: '2020-01-01' }).config).toEqual({ api_key: 'k', full_site: 's', product_catalog: '1.0', start_date: '2020-01-01' });
    expect(mapped('ExchangeRateHost', { startDate: '2020-01-01' })).toMatchObject({ config: { base: 'EUR', start_date: '2020-01-01' }, features: ['STATE'] });
    expect(mapped('FacebookAds', { accountId: 'a', accessToken: 't', startDate: '2020-01-01', endDate: '2020-02-01' }).config)
      .toEqual({ account_id: 'a', access_token: 't', insights_buffer_days: 0, start_date: '2020-01-01', end_date: '2020-02-01' });
    expect(mapped('Fastly', { apiToken: 't', startDate: '2020-01-01' }).config).toEqual({ api_key: 't', start_date: '2020-01-01' });
    expect(mapped('GoogleAdwords', {
      developerToken: 'd', oauthClientId: 'i', oauthClientSecret: 's', refreshToken: 'r', customerIds: ['1', '2'], startDate: '2020-01-01',
    }).config).toMatchObject({ customer_ids: '1,2', conversion_window_days: 0, user_agent: 'tap-adwords via Kestra' });
    expect(mapped('GoogleSearchConsole', { clientId: 'i', clientSecret: 's', refreshToken: 'r', siteUrls: ['a', 'b'], startDate: '2020-01-01' }).config)
      .toMatchObject({ site_urls: 'a, b', user_agent: 'tap-google-search-console via Kestra' });
    expect(mapped('Marketo', { endpoint: 'e', identity: 'i', clientId: 'c', clientSecret: 's', startDate: '2020-01-01' }).features).toEqual([]);
    expect(mapped('Netsuite', {
      accountId: 'a', consumerKey: 'k', consumerSecret: 's', tokenKey: 't', tokenSecret: 'ts', selectFieldsByDefault: true, isSandbox: false, startDate: '2020-01-01',
    }).config).toMatchObject({ ns_account: 'a', ns_token_secret: 'ts', select_fields_by_default: true, is_sandbox: false });
    expect(mapped('Quickbooks', { realmId: 'r', clientId: 'c', clientSecret: 's', refreshToken: 't', startDate: '2020-01-01' }).config)
      .toMatchObject({ realmId: 'r', select_fields_by_default: true, is_sandbox: false, state_message_threshold: 1000, max_workers: 8 });
    expect(mapped('Recharge', { accessToken: 't', userAgent: 'ua', startDate: '2020-01-01' }).config).toEqual({ access_token: 't', user_agent: 'ua', start_date: '2020-01-01' });
    expect(mapped('SageIntacct', { companyId: 'c', senderId: 's', senderPassword: 'sp', userId: 'u', userPassword: 'up', startDate: '2020-01-01' }).config)
      .toMatchObject({ company_id: 'c', user_password: 'up' });
    expect(mapped('Salesforce', { startDate: '2020-01-01', clientId: 'c' }).config)
      .toEqual({ api_type: 'BULK', select_fields_by_default: true, is_sandbox: false, start_date: '2020-01-01', client_id: 'c', lookback_window: 10 });
    expect(mapped('Shopify', { shop: 's', apiKey: 'k', startDate: '2020-01-01' }).config).toEqual({ shop: 's', api_key: 'k', start_date: '2020-01-01' });
    expect(mapped('Slack', { apiToken: 't', startDate: '2020-01-01', channels: ['c1'] }).config).toEqual({
      token: 't', start_date: '2020-01-01', private_channels: true, join_public_channels: false, archived_channels: false, channels: ['c1'], date_window_size: 7,
    });
    expect(mapped('Stripe', { accountId: 'a', clientSecret: 's', startDate: '2020-01-01' }).config).toEqual({ account_id: 'a', client_secret: 's', start_date: '2020-01-01' });
    expect(mapped('Zendesk', { subdomain: 's', apiToken: 't', startDate: '2020-01-01' }).config).toEqual({ subdomain: 's', start_date: '2020-01-01', api_token: 't' });
    expect(mapped('Zoom', { jwt: 'j' })).toMatchObject({ config: { jwt: 'j' }, features: ['CATALOG', 'DISCOVER'] });
  });

  it('reject a tap without its required properties, naming them', () => {
    const r = kind('Shopify').properties.safeParse({ ...SC, shop: 's', startDate: '2020-01' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['apiKey', 'startDate']);
  });

  it('let pipPackages and command override the defaults', () => {
    expect(mapped('Stripe', { accountId: 'a', clientSecret: 's', startDate: '2020-01-01', pipPackages: ['./w.whl'], command: 'tap-x' }))
      .toMatchObject({ pip: ['./w.whl'], command: 'tap-x' });
  });
});
