// The taps of kestra-io/plugin-singer's last version (0.24) beside GitHub and PipelinewiseOracle
// (./kinds.ts): each one's properties, pip package, command, features and config.json, as its Java
// class builds them. Where Kestra's mapping is odd (HubSpot's redirect_uri), it is kept and said so.
import { z } from 'zod';
import { defined, Feature, kindOf, type SingerKind } from './kinds';
import { isoDate, tap } from './properties';

const C = Feature.CATALOG;
const D = Feature.DISCOVER;
const P = Feature.PROPERTIES;
const S = Feature.STATE;

const props = <T extends z.ZodRawShape>(shape: T) => z.object({ ...tap, ...shape }).strict();
const str = z.string().min(1);
const opt = z.string().optional();
const int = z.number().int();
const bool = z.boolean().optional();

/** Kestra writes Instant properties with Instant.toString(): UTC, no fraction when it is zero. */
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected a date-time such as 2023-01-01T00:00:00Z');
const instantText = (s: string): string => new Date(s).toISOString().replace('.000Z', 'Z');

const googleCredentials = (serviceAccount: string | undefined, dir: string, variable: boolean) => ({
  files: serviceAccount !== undefined ? { 'google-credentials.json': serviceAccount } : {} as Record<string, string>,
  env: serviceAccount !== undefined && variable ? { GOOGLE_APPLICATION_CREDENTIALS: `${dir}/google-credentials.json` } : {} as Record<string, string>,
});

const BigQueryStream = z.object({
  name: z.string(), table: z.string(), columns: z.array(z.string()).optional(),
  datetime_key: z.string().optional(), filters: z.array(z.string()).optional(),
}).strict();

const bigQuery = kindOf('taps.BigQuery', props({
  serviceAccount: opt,
  streams: z.array(BigQueryStream).min(1),
  limit: int,
  startAlwaysInclusive: bool,
  startDateTime: instant,
  endDateTime: instant.optional(),
}), {
  pip: ['git+https://github.com/kestra-io/tap-bigquery.git@fix'], command: 'tap-bigquery', features: [C, D, S],
  config: (p) => defined({
    streams: p.streams.map((s) => defined(s)),
    start_always_inclusive: p.startAlwaysInclusive ?? true,
    start_datetime: instantText(p.startDateTime),
    end_datetime: p.endDateTime !== undefined ? instantText(p.endDateTime) : undefined,
  }),
  extras: (p, dir) => {
    const g = googleCredentials(p.serviceAccount, dir, true);
    return { files: g.files, env: { ...g.env, PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION: 'python' } };
  },
});

const bingAds = kindOf('taps.BingAds', props({
  developerToken: str, oauthClientId: str, oauthClientSecret: str, refreshToken: str, customerId: str,
  accountIds: z.array(z.string()).min(1), startDate: isoDate,
}), {
  pip: ['tap-bing-ads'], command: 'tap-bing-ads', features: [C, D, S],
  config: (p) => ({
    developer_token: p.developerToken, oauth_client_id: p.oauthClientId, oauth_client_secret: p.oauthClientSecret,
    refresh_token: p.refreshToken, customer_id: p.customerId, account_ids: p.accountIds.join(','), start_date: p.startDate,
  }),
});

const chargeBee = kindOf('taps.ChargeBee', props({ apiKey: str, site: z.string(), productCatalog: opt, startDate: isoDate }), {
  pip: ['git+https://github.com/hotgluexyz/tap-chargebee.git'], command: 'tap-chargebee', features: [P, D, S],
  config: (p) => ({ api_key: p.apiKey, full_site: p.site, product_catalog: p.productCatalog ?? '1.0', start_date: p.startDate }),
});

const exchangeRateHost = kindOf('taps.ExchangeRateHost', props({ base: opt, startDate: isoDate, endDate: isoDate.optional() }), {
  pip: ['tap-exchangeratehost'], command: 'tap-exchangeratehost', features: [S],
  config: (p) => defined({ base: p.base ?? 'EUR', start_date: p.startDate, end_date: p.endDate }),
});

const facebookAds = kindOf('taps.FacebookAds', props({
  accountId: str, accessToken: str, insightsBufferDays: int.optional(), startDate: isoDate, endDate: isoDate.optional(),
}), {
  pip: ['tap-facebook'], command: 'tap-facebook', features: [P, D, S],
  config: (p) => defined({
    account_id: p.accountId, access_token: p.accessToken, insights_buffer_days: p.insightsBufferDays ?? 0, start_date: p.startDate, end_date: p.endDate,
  }),
});

const fastly = kindOf('taps.Fastly', props({ apiToken: str, startDate: isoDate }), {
  pip: ['git+https://gitlab.com/meltano/tap-fastly.git'], command: 'tap-fastly', features: [C, D, S],
  config: (p) => ({ api_key: p.apiToken, start_date: p.startDate }),
});

const gitlab = kindOf('taps.Gitlab', props({
  apiUrl: opt, private_token: str, groups: z.array(z.string()).optional(), projects: z.array(z.string()).optional(),
  ultimateLicense: bool, fetchMergeRequestCommits: bool, fetchPipelinesExtended: bool, startDate: isoDate,
}), {
  pip: ['git+https://gitlab.com/meltano/tap-gitlab.git'], command: 'tap-gitlab', features: [C, D, S],
  config: (p) => defined({
    api_url: p.apiUrl ?? 'https://gitlab.com',
    private_token: p.private_token,
    ultimate_license: p.ultimateLicense ?? false,
    fetch_merge_request_commits: p.fetchMergeRequestCommits ?? false,
    fetch_pipelines_extended: p.fetchPipelinesExtended ?? false,
    start_date: p.startDate,
    groups: p.groups?.length ? p.groups.join(' ') : undefined,
    projects: p.projects?.length ? p.projects.join(' ') : undefined,
  }),
});

const googleAdwords = kindOf('taps.GoogleAdwords', props({
  developerToken: str, oauthClientId: str, oauthClientSecret: str, refreshToken: str, customerIds: z.array(z.string()).min(1),
  startDate: isoDate, endDate: isoDate.optional(), conversionWindowDays: int.optional(),
  primaryKeys: z.record(z.string(), z.array(z.string())).optional(), userAgent: opt,
}), {
  pip: ['git+https://gitlab.com/meltano/tap-adwords.git'], command: 'tap-adwords', features: [P, D, S],
  config: (p) => defined({
    developer_token: p.developerToken, oauth_client_id: p.oauthClientId, oauth_client_secret: p.oauthClientSecret,
    refresh_token: p.refreshToken, customer_ids: p.customerIds.join(','), start_date: p.startDate,
    conversion_window_days: p.conversionWindowDays ?? 0, end_date: p.endDate,
    user_agent: p.userAgent ?? 'tap-adwords via Kestra', primary_keys: p.primaryKeys,
  }),
});

const Report = z.object({ name: z.string(), dimensions: z.array(z.string()).optional(), metrics: z.array(z.string()).optional() }).strict();

const googleAnalytics = kindOf('taps.GoogleAnalytics', props({
  serviceAccount: opt, oauthClientId: opt, oauthClientSecret: opt, oauthAccessToken: opt, oauthRefreshToken: opt,
  view_id: opt, reports: z.array(Report).optional(), startDate: isoDate, endDate: isoDate.optional(),
}), {
  pip: ['git+https://gitlab.com/meltano/tap-google-analytics.git'], command: 'tap-google-analytics', features: [C, D],
  // Kestra's keys are the dotted names themselves, not nested objects.
  config: (p, dir) => defined({
    start_date: p.startDate,
    key_file_location: p.serviceAccount !== undefined ? `${dir}/google-credentials.json` : undefined,
    'oauth_credentials.client_id': p.oauthClientId,
    'oauth_credentials.client_secret': p.oauthClientSecret,
    'oauth_credentials.access_token': p.oauthAccessToken,
    'oauth_credentials.refresh_token': p.oauthRefreshToken,
    view_id: p.view_id,
    reports: p.reports !== undefined ? `${dir}/reports.json` : undefined,
    end_date: p.endDate,
  }),
  extras: (p, dir) => ({
    files: { ...googleCredentials(p.serviceAccount, dir, false).files, ...(p.reports !== undefined ? { 'reports.json': JSON.stringify(p.reports) } : {}) },
    env: {},
  }),
});

const googleSearchConsole = kindOf('taps.GoogleSearchConsole', props({
  clientId: str, clientSecret: str, refreshToken: str, siteUrls: z.array(z.string()).min(1), startDate: isoDate, userAgent: opt,
}), {
  pip: ['tap-google-search-console'], command: 'tap-google-search-console', features: [C, D, S],
  config: (p) => ({
    client_id: p.clientId, client_secret: p.clientSecret, refresh_token: p.refreshToken, site_urls: p.siteUrls.join(', '),
    start_date: p.startDate, user_agent: p.userAgent ?? 'tap-google-search-console via Kestra',
  }),
});

const hubSpot = kindOf('taps.HubSpot', props({
  redirectUri: opt, clientId: str, clientSecret: str, refreshToken: str, apiKey: str, requestTimeout: int, startDate: isoDate,
}), {
  pip: ['tap-hubspot'], command: 'tap-hubspot', features: [C, D, S],
  config: (p) => ({
    // As Kestra's HubSpot.java, which renders clientId here: redirectUri never reaches the tap.
    redirect_uri: p.clientId,
    start_date: p.startDate,
    client_id: p.clientId, client_secret: p.clientSecret, refresh_token: p.refreshToken, hapikey: p.apiKey, request_timeout: p.requestTimeout,
  }),
});

const marketo = kindOf('taps.Marketo', props({ endpoint: str, identity: str, clientId: str, clientSecret: str, startDate: isoDate }), {
  pip: ['git+https://gitlab.com/meltano/tap-marketo.git'], command: 'tap-marketo', features: [],
  config: (p) => ({ endpoint: p.endpoint, identity: p.identity, client_id: p.clientId, client_secret: p.clientSecret, start_date: p.startDate }),
});

const netsuite = kindOf('taps.Netsuite', props({
  accountId: str, consumerKey: str, consumerSecret: str, tokenKey: str, tokenSecret: str,
  selectFieldsByDefault: z.boolean(), isSandbox: z.boolean(), startDate: isoDate,
}), {
  pip: ['git+https://github.com/hotgluexyz/tap-netsuite'], command: 'tap-netsuite', features: [P, D, S],
  config: (p) => ({
    ns_account: p.accountId, ns_consumer_key: p.consumerKey, ns_consumer_secret: p.consumerSecret, ns_token_key: p.tokenKey,
    ns_token_secret: p.tokenSecret, select_fields_by_default: p.selectFieldsByDefault, is_sandbox: p.isSandbox, start_date: p.startDate,
  }),
});

const mongoDb = kindOf('taps.PipelinewiseMongoDb', props({
  host: str, username: str, password: opt, port: int, database: str, authDatabase: str, ssl: bool, sslVerify: bool,
  replicaSet: opt, includeSchemaInStream: bool, updateBufferSize: int.optional(), awaitTimeMs: int.optional(),
}), {
  pip: ['pipelinewise-tap-mongodb'], command: 'tap-mongodb', features: [C, D, S],
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port,
    // Kestra writes these two as the text "true"/"false".
    ssl: String(p.ssl ?? false), verify_mode: String(p.sslVerify ?? true),
    database: p.database, auth_database: p.authDatabase,
    include_schema_in_destination_stream_name: p.includeSchemaInStream ?? false,
    update_buffer_size: p.updateBufferSize ?? 1, await_time_ms: p.awaitTimeMs ?? 1000, replica_set: p.replicaSet,
  }),
});

const MYSQL_SESSION_SQLS = [
  'SET @@session.time_zone="+0:00"', 'SET @@session.wait_timeout=28800', 'SET @@session.net_read_timeout=3600', 'SET @@session.innodb_lock_wait_timeout=3600',
];

const mysql = kindOf('taps.PipelinewiseMysql', props({
  host: str, username: str, password: opt, port: int, ssl: bool, filterDbs: z.array(z.string()).optional(),
  exportBatchRows: int.optional(), sessionSqls: z.array(z.string()).optional(),
}), {
  pip: ['pipelinewise-tap-mysql'], command: 'tap-mysql', features: [C, D, S],
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port, ssl: p.ssl ?? false,
    session_sqls: p.sessionSqls ?? MYSQL_SESSION_SQLS, export_batch_rows: p.exportBatchRows ?? 50000,
    filter_dbs: p.filterDbs?.length ? p.filterDbs.join(',') : undefined,
  }),
});

const postgres = kindOf('taps.PipelinewisePostgres', props({
  host: str, username: str, password: opt, dbName: str, port: int, ssl: bool, logicalPollSeconds: int.optional(),
  breakAtEndLsn: bool, maxRunSeconds: int.optional(), debugLsn: bool, filterSchemas: z.array(z.string()).optional(),
}), {
  pip: ['pipelinewise-tap-postgres'], command: 'tap-postgres', features: [C, D, S],
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port, dbname: p.dbName, ssl: p.ssl ?? false,
    logical_poll_seconds: p.logicalPollSeconds ?? 10800, break_at_end_lsn: p.breakAtEndLsn ?? true,
    max_run_seconds: p.maxRunSeconds ?? 43200, debug_lsn: p.debugLsn ?? false,
    // As Kestra: the schemas go to filter_dbs.
    filter_dbs: p.filterSchemas?.length ? p.filterSchemas.join(',') : undefined,
  }),
});

const sqlServer = kindOf('taps.PipelinewiseSqlServer', props({
  host: str, database: str, port: int, username: str, password: z.string(), filterDbs: z.array(z.string()).optional(),
  useDateDatatype: bool, tdsVersion: opt, characterSet: opt, useSingerDecimal: bool, cursorArraySize: int.optional(),
}), {
  pip: ['tap-mssql==2.3.1'], command: 'tap-mssql', features: [C, D, S, P],
  config: (p) => defined({
    host: p.host, port: p.port, user: p.username, password: p.password, database: p.database, use_date_datatype: p.useDateDatatype ?? true,
    filter_dbs: p.filterDbs?.length ? p.filterDbs.join(',') : undefined,
    tds_version: p.tdsVersion, characterset: p.characterSet, use_singer_decimal: p.useSingerDecimal, cursor_array_size: p.cursorArraySize,
  }),
});

const quickbooks = kindOf('taps.Quickbooks', props({
  selectFieldsByDefault: bool, isSandbox: bool, stateMessageThreshold: int.optional(), maxWorkers: int.optional(),
  realmId: str, clientId: str, clientSecret: str, refreshToken: str, startDate: isoDate,
}), {
  pip: ['tap-quickbooks'], command: 'tap-quickbooks', features: [P, D, S],
  config: (p) => ({
    select_fields_by_default: p.selectFieldsByDefault ?? true, is_sandbox: p.isSandbox ?? false,
    state_message_threshold: p.stateMessageThreshold ?? 1000, max_workers: p.maxWorkers ?? 8, start_date: p.startDate,
    realmId: p.realmId, client_id: p.clientId, client_secret: p.clientSecret, refresh_token: p.refreshToken,
  }),
});

const recharge = kindOf('taps.Recharge', props({ accessToken: str, userAgent: str, startDate: isoDate }), {
  pip: ['tap-recharge'], command: 'tap-recharge', features: [C, D, S],
  config: (p) => ({ access_token: p.accessToken, user_agent: p.userAgent, start_date: p.startDate }),
});

const sageIntacct = kindOf('taps.SageIntacct', props({
  companyId: str, senderId: str, senderPassword: str, userId: str, userPassword: str, startDate: isoDate,
}), {
  pip: ['git+https://github.com/hotgluexyz/tap-intacct.git'], command: 'tap-intacct', features: [P, D, S],
  config: (p) => ({
    company_id: p.companyId, sender_id: p.senderId, sender_password: p.senderPassword, user_id: p.userId,
    user_password: p.userPassword, start_date: p.startDate,
  }),
});

const salesforce = kindOf('taps.Salesforce', props({
  apiType: z.enum(['REST', 'BULK']).optional(), selectFieldsByDefault: bool, isSandbox: bool,
  clientId: opt, clientSecret: opt, refreshToken: opt, lookbackWindow: int.optional(), startDate: isoDate,
}), {
  pip: ['tap-salesforce'], command: 'tap-salesforce', features: [P, D, S],
  config: (p) => defined({
    api_type: p.apiType ?? 'BULK', select_fields_by_default: p.selectFieldsByDefault ?? true, is_sandbox: p.isSandbox ?? false,
    start_date: p.startDate, client_id: p.clientId, client_secret: p.clientSecret, refresh_token: p.refreshToken,
    lookback_window: p.lookbackWindow ?? 10,
  }),
});

const shopify = kindOf('taps.Shopify', props({ shop: str, apiKey: str, startDate: isoDate }), {
  pip: ['tap-shopify'], command: 'tap-shopify', features: [C, D, S],
  config: (p) => ({ shop: p.shop, api_key: p.apiKey, start_date: p.startDate }),
});

const slack = kindOf('taps.Slack', props({
  apiToken: str, startDate: isoDate, privateChannels: bool, publicChannels: bool, archivedChannels: bool,
  channels: z.array(z.string()).optional(), dateWindowSize: int.optional(),
}), {
  pip: ['git+https://github.com/Mashey/tap-slack.git'], command: 'tap-slack', features: [C, D, S],
  config: (p) => defined({
    token: p.apiToken, start_date: p.startDate, private_channels: p.privateChannels ?? true,
    join_public_channels: p.publicChannels ?? false, archived_channels: p.archivedChannels ?? false,
    channels: p.channels?.length ? p.channels : undefined, date_window_size: p.dateWindowSize ?? 7,
  }),
});

const stripe = kindOf('taps.Stripe', props({ accountId: str, clientSecret: str, startDate: isoDate }), {
  pip: ['git+https://github.com/meltano/tap-stripe.git'], command: 'tap-stripe', features: [C, D, S],
  config: (p) => ({ account_id: p.accountId, client_secret: p.clientSecret, start_date: p.startDate }),
});

const zendesk = kindOf('taps.Zendesk', props({ subdomain: str, email: opt, apiToken: opt, accessToken: opt, startDate: isoDate }), {
  pip: ['tap-zendesk'], command: 'tap-zendesk', features: [C, D, S],
  config: (p) => defined({ subdomain: p.subdomain, start_date: p.startDate, email: p.email, api_token: p.apiToken, access_token: p.accessToken }),
});

const zoom = kindOf('taps.Zoom', props({ jwt: opt, clientId: opt, clientSecret: opt, refreshToken: opt }), {
  pip: ['git+https://github.com/mashey/tap-zoom.git'], command: 'tap-zoom', features: [C, D],
  config: (p) => defined({ jwt: p.jwt, client_id: p.clientId, client_secret: p.clientSecret, refresh_token: p.refreshToken }),
});

export const TAP_KINDS: readonly SingerKind<any>[] = [
  bigQuery, bingAds, chargeBee, exchangeRateHost, facebookAds, fastly, gitlab, googleAdwords, googleAnalytics, googleSearchConsole,
  hubSpot, marketo, netsuite, mongoDb, mysql, postgres, sqlServer, quickbooks, recharge, sageIntacct, salesforce, shopify, slack,
  stripe, zendesk, zoom,
];
