// A fake of the BigQuery REST API v2 on loopback, at the wire level: @google-cloud/bigquery's real
// HTTP requests reach it through BIGQUERY_EMULATOR_HOST. It keeps datasets, tables and jobs in memory
// and answers as BigQuery does:
// - jobs.insert, jobs.get, jobs.cancel, jobs.getQueryResults (pageToken paging), tabledata.list,
//   datasets insert/get/patch/delete, tables insert/get/patch/delete, and the upload endpoint for load
//   jobs (uploadType=multipart, as the client sends it; resumable uploads are not served);
// - query, load (uploaded or from gs:// URIs), extract and copy jobs; Cloud Storage is a map of
//   gs:// URIs to contents (`gcs`), which load jobs read and extract jobs write, as BigQuery would;
// - job states PENDING -> RUNNING -> DONE, one step per poll (or held RUNNING with `stallJobs`);
// - errors shaped as BigQuery's: HTTP {error: {code, message, errors: [{reason, message}]}} bodies,
//   and a job's status.errorResult/errors;
// - scripted failures: a job that ends with a given reason, an insert answered with an error, or an
//   insert whose answer is lost (the job is created, the connection is cut).
// It runs no SQL: a query returns what the test registered for its text, or the rows of a table for
// `SELECT * FROM project.dataset.table`; anything else fails with invalidQuery.
import { createVerify } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Field { name: string; type: string; mode?: string; fields?: Field[] }
export type Row = Record<string, unknown>;
export interface Failure { reason: string; message: string }

/**
 * Rows made on demand, for result sets too big to hold (benchmarks). `pages` holds pages already
 * written as JSON text, by "start:size", so that serving them costs the fake no CPU (see preserialize).
 */
export interface GeneratedRows { fields: Field[]; count: number; row(i: number): Row; pages?: Map<string, string[]> }
interface RowSource { length: number; at(i: number): Row; pages?: Map<string, string[]> }
const sourceOf = (rows: Row[]): RowSource => ({ length: rows.length, at: (i) => rows[i] });

interface Table { resource: Record<string, any>; fields: Field[]; rows: Row[] }
interface Dataset { resource: Record<string, any>; tables: Map<string, Table> }
interface Job {
  resource: Record<string, any>;
  /** Polls left before DONE. */
  steps: number;
  outcome: () => { error?: Failure; rows?: RowSource; fields?: Field[]; load?: number; extract?: number[] };
  fields?: Field[];
  rows?: RowSource;
}

export interface FakeBigQuery {
  endpoint: string;
  requests: Array<{ method: string; path: string; query: URLSearchParams; authorization?: string }>;
  /** Every job ever created, by job id. */
  jobs: Map<string, Job>;
  /** Results of queries, by SQL text. */
  queries: Map<string, { fields: Field[]; rows: Row[] } | GeneratedRows | { error: Failure }>;
  /** Reasons the next jobs end with, one per job, in order. */
  failJobs: Failure[];
  /** Answers to the next inserts instead of creating a job. */
  failInserts: Array<Failure & { status: number }>;
  /** Answers to the next dataset and table calls (any method) instead of serving them. */
  failCalls: Array<Failure & { status: number }>;
  /** Answers to the next jobs.getQueryResults calls of a finished job instead of its rows. */
  failResults: Array<Failure & { status: number }>;
  /** How many of the next inserts create their job and then lose the answer (the socket is cut). */
  dropInsertAnswers: number;
  /** The Cloud Storage objects load jobs read and extract jobs write, by gs:// URI. */
  gcs: Map<string, string>;
  /** Projects that exist; any other is "Not found". */
  projects: Set<string>;
  /** Rows per page when the client gives no maxResults. */
  pageSize: number;
  /** Jobs stay RUNNING (for kill tests). */
  stallJobs: boolean;
  /** When set, requests must carry a JWT signed by this key (a service account's self-signed token). */
  requireJwt?: { publicKeyPem: string; email: string };
  /** Emits 'job' with the job id when a job is created. */
  events: EventEmitter;
  createDataset(project: string, dataset: string): void;
  createTable(project: string, dataset: string, table: string, fields: Field[], rows?: Row[]): void;
  /** Writes every page of a registered GeneratedRows query as JSON text now, at `pageSize` rows a page. */
  preserialize(sql: string): void;
  tableRows(project: string, dataset: string, table: string): Row[] | undefined;
  close(): Promise<void>;
}

function errorBody(code: number, reason: string, message: string, status: string): string {
  return JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason }], status } });
}

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 409: 'ALREADY_EXISTS' };

/** Rows already written as JSON text (the inside of the `rows` array). */
class RawRows {
  constructor(readonly chunks: string[]) {}
}

class HttpError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) { super(message); }
}

/** A JSON value as BigQuery's f/v format writes it for a field. */
function encode(field: Field, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (field.mode === 'REPEATED') return (value as unknown[]).map((v) => ({ v: encode({ ...field, mode: 'NULLABLE' }, v) }));
  switch (field.type) {
    case 'RECORD': case 'STRUCT': return { f: (field.fields ?? []).map((f) => ({ v: encode(f, (value as Row)[f.name]) })) };
    // Microseconds since the epoch (formatOptions.useInt64Timestamp); a number is taken as milliseconds.
    case 'TIMESTAMP': return `${typeof value === 'number' ? value : Date.parse(String(value))}000`;
    case 'JSON': return JSON.stringify(value);
    default: return String(value);
  }
}

function verifyJwt(token: string, publicKeyPem: string, email: string): boolean {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return false;
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKeyPem, Buffer.from(s, 'base64url'));
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss?: string };
  return ok && claims.iss === email;
}

/** The parts of a multipart/related body (the upload endpoint). */
function multipart(body: Buffer, contentType: string): Buffer[] {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  if (!boundary) throw new HttpError(400, 'invalid', 'multipart body without boundary');
  const text = body.toString('latin1');
  return text.split(`--${boundary}`).slice(1, -1).map((part) => {
    const at = part.indexOf('\r\n\r\n');
    return Buffer.from(part.slice(at + 4, part.endsWith('\r\n') ? -2 : undefined), 'latin1');
  });
}

function parseData(config: Record<string, any>, fields: Field[], data: Buffer): Row[] {
  const text = data.toString('utf8');
  if (config.sourceFormat === 'NEWLINE_DELIMITED_JSON') {
    return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
  }
  if (config.sourceFormat === 'CSV' || config.sourceFormat === undefined) {
    const lines = text.split('\n').filter((l) => l.length).slice(Number(config.skipLeadingRows ?? 0));
    return lines.map((l) => Object.fromEntries(l.split(config.fieldDelimiter ?? ',').map((v, i) => [fields[i]?.name ?? `f${i}`, v])));
  }
  throw new HttpError(400, 'invalid', `the fake cannot read ${config.sourceFormat}`);
}

export async function startFakeBigQuery(): Promise<FakeBigQuery> {
  const datasets = new Map<string, Dataset>();
  const key = (project: string, dataset: string) => `${project}:${dataset}`;
  const fake = {
    requests: [], jobs: new Map(), queries: new Map(), failJobs: [], failInserts: [], failCalls: [], failResults: [], dropInsertAnswers: 0,
    gcs: new Map(), projects: new Set<string>(), pageSize: 1000, stallJobs: false, events: new EventEmitter(),
  } as unknown as FakeBigQuery;

  const dataset = (project: string, id: string): Dataset => {
    const d = datasets.get(key(project, id));
    if (!d) throw new HttpError(404, 'notFound', `Not found: Dataset ${project}:${id}`);
    return d;
  };
  const table = (project: string, ds: string, id: string): Table => {
    const t = datasets.get(key(project, ds))?.tables.get(id);
    if (!t) throw new HttpError(404, 'notFound', `Not found: Table ${project}:${ds}.${id}`);
    return t;
  };
  fake.createDataset = (project, id) => {
    datasets.set(key(project, id), { resource: { kind: 'bigquery#dataset', id: `${project}:${id}`, datasetReference: { projectId: project, datasetId: id }, location: 'US' }, tables: new Map() });
  };
  const putTable = (project: string, ds: string, id: string, fields: Field[], rows: Row[] = [], extra: Record<string, unknown> = {}): Table => {
    const t: Table = {
      resource: { kind: 'bigquery#table', id: `${project}:${ds}.${id}`, tableReference: { projectId: project, datasetId: ds, tableId: id }, location: 'US', creationTime: '1700000000000', ...extra },
      fields, rows,
    };
    dataset(project, ds).tables.set(id, t);
    return t;
  };
  fake.createTable = (project, ds, id, fields, rows) => { putTable(project, ds, id, fields, rows); };
  fake.tableRows = (project, ds, id) => datasets.get(key(project, ds))?.tables.get(id)?.rows;

  const tableResource = (t: Table) => ({ ...t.resource, schema: { fields: t.fields }, numRows: String(t.rows.length), numBytes: String(JSON.stringify(t.rows).length) });

  const queryOutcome = (project: string, config: Record<string, any>): ReturnType<Job['outcome']> => {
    const sql = String(config.query?.query ?? '');
    const known = fake.queries.get(sql);
    if (known) {
      if ('error' in known) return { error: known.error };
      return { fields: known.fields, rows: 'row' in known ? { length: known.count, at: known.row, pages: known.pages } : sourceOf(known.rows) };
    }
    const m = /^\s*SELECT\s+\*\s+FROM\s+`?([\w-]+)\.(\w+)\.(\w+)`?\s*$/i.exec(sql);
    if (!m) return { error: { reason: 'invalidQuery', message: `Syntax error: Unexpected identifier "${sql.split(/\s+/)[0]}" at [1:1]` } };
    const t = datasets.get(key(m[1], m[2]))?.tables.get(m[3]);
    if (!t) return { error: { reason: 'notFound', message: `Not found: Table ${m[1]}:${m[2]}.${m[3]} was not found in location US` } };
    return { rows: sourceOf(t.rows), fields: t.fields };
  };

  /** The objects a gs:// URI names; one `*` matches any run of characters. */
  const objectsOf = (uri: string): string[] => {
    if (!uri.includes('*')) return fake.gcs.has(uri) ? [uri] : [];
    const [before, after] = uri.split('*', 2);
    return [...fake.gcs.keys()].filter((k) => k.startsWith(before) && k.endsWith(after) && k.length >= before.length + after.length).sort();
  };
  const copyOutcome = (copy: Record<string, any>): ReturnType<Job['outcome']> => {
    const sources: Table[] = [];
    for (const ref of copy.sourceTables as Array<Record<string, string>>) {
      const t = datasets.get(key(ref.projectId, ref.datasetId))?.tables.get(ref.tableId);
      if (!t) return { error: { reason: 'notFound', message: `Not found: Table ${ref.projectId}:${ref.datasetId}.${ref.tableId}` } };
      sources.push(t);
    }
    const dest = copy.destinationTable;
    if (!datasets.has(key(dest.projectId, dest.datasetId))) return { error: { reason: 'notFound', message: `Not found: Dataset ${dest.projectId}:${dest.datasetId}` } };
    let t = datasets.get(key(dest.projectId, dest.datasetId))!.tables.get(dest.tableId);
    const rows = sources.flatMap((s) => s.rows.map((r) => ({ ...r })));
    if (t && copy.writeDisposition === 'WRITE_EMPTY' && t.rows.length) return { error: { reason: 'duplicate', message: `Already Exists: Table ${dest.projectId}:${dest.datasetId}.${dest.tableId}` } };
    if (!t) {
      if (copy.createDisposition === 'CREATE_NEVER') return { error: { reason: 'notFound', message: `Not found: Table ${dest.projectId}:${dest.datasetId}.${dest.tableId}` } };
      t = putTable(dest.projectId, dest.datasetId, dest.tableId, sources[0].fields);
    }
    if (copy.writeDisposition === 'WRITE_APPEND') t.rows.push(...rows);
    else t.rows = rows;
    return {};
  };
  const extractOutcome = (extract: Record<string, any>): ReturnType<Job['outcome']> => {
    const ref = extract.sourceTable;
    const t = datasets.get(key(ref.projectId, ref.datasetId))?.tables.get(ref.tableId);
    if (!t) return { error: { reason: 'notFound', message: `Not found: Table ${ref.projectId}:${ref.datasetId}.${ref.tableId}` } };
    const format = extract.destinationFormat ?? 'CSV';
    let text: string;
    if (format === 'NEWLINE_DELIMITED_JSON') text = t.rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    else if (format === 'CSV') {
      const d = extract.fieldDelimiter ?? ',';
      const lines = t.rows.map((r) => t!.fields.map((f) => String(r[f.name] ?? '')).join(d));
      text = [...(extract.printHeader === false ? [] : [t.fields.map((f) => f.name).join(d)]), ...lines].map((l) => `${l}\n`).join('');
    } else return { error: { reason: 'invalid', message: `the fake cannot write ${format}` } };
    // One file per URI: a wildcard URI gets its `*` replaced by BigQuery's 12-digit shard number.
    for (const uri of extract.destinationUris as string[]) fake.gcs.set(uri.replace('*', '000000000000'), text);
    return { extract: (extract.destinationUris as string[]).map(() => 1) };
  };

  const createJob = (project: string, body: Record<string, any>, data?: Buffer): Job => {
    const ref = { projectId: project, jobId: String(body.jobReference?.jobId ?? `job_${fake.jobs.size + 1}`), location: body.jobReference?.location ?? 'US' };
    if (fake.jobs.has(ref.jobId)) throw new HttpError(409, 'duplicate', `Already Exists: Job ${project}:${ref.location}.${ref.jobId}`);
    const config = body.configuration ?? {};
    const scripted = fake.failJobs.shift();
    const outcome = (): ReturnType<Job['outcome']> => {
      if (scripted) return { error: scripted };
      if (config.query) return queryOutcome(project, config);
      if (config.copy) return copyOutcome(config.copy);
      if (config.extract) return extractOutcome(config.extract);
      const load = config.load;
      const dest = load.destinationTable;
      let t = datasets.get(key(dest.projectId, dest.datasetId))?.tables.get(dest.tableId);
      if (!t) {
        if (!datasets.has(key(dest.projectId, dest.datasetId))) return { error: { reason: 'notFound', message: `Not found: Dataset ${dest.projectId}:${dest.datasetId}` } };
        if (load.createDisposition === 'CREATE_NEVER' || !load.schema) return { error: { reason: 'notFound', message: `Not found: Table ${dest.projectId}:${dest.datasetId}.${dest.tableId}` } };
        t = putTable(dest.projectId, dest.datasetId, dest.tableId, load.schema.fields);
      }
      if (load.sourceUris) {
        const missing = (load.sourceUris as string[]).find((u) => !objectsOf(u).length);
        if (missing) return { error: { reason: 'notFound', message: `Not found: URI ${missing}` } };
      }
      // Each object is read on its own, as BigQuery does (skipLeadingRows applies to every file).
      const files = load.sourceUris ? (load.sourceUris as string[]).flatMap((u) => objectsOf(u).map((k) => Buffer.from(fake.gcs.get(k)!))) : [data ?? Buffer.alloc(0)];
      const rows = files.flatMap((f) => parseData(load, t!.fields, f));
      if (load.writeDisposition === 'WRITE_TRUNCATE') t.rows = rows;
      else t.rows.push(...rows);
      return { load: rows.length };
    };
    const job: Job = {
      resource: { kind: 'bigquery#job', id: `${project}:${ref.location}.${ref.jobId}`, jobReference: ref, configuration: config, status: { state: 'PENDING' }, statistics: { creationTime: String(Date.now()) } },
      steps: 2, outcome,
    };
    fake.jobs.set(ref.jobId, job);
    fake.events.emit('job', ref.jobId);
    return job;
  };

  const finish = (job: Job) => {
    const out = job.outcome();
    const r = job.resource;
    r.status = { state: 'DONE' };
    if (out.error) {
      r.status.errorResult = { reason: out.error.reason, message: out.error.message, location: r.configuration.query ? 'query' : undefined };
      r.status.errors = [r.status.errorResult];
      return;
    }
    if (out.load !== undefined) r.statistics.load = { outputRows: String(out.load) };
    if (out.extract) r.statistics.extract = { destinationUriFileCounts: out.extract.map(String) };
    if (out.rows) {
      job.rows = out.rows;
      job.fields = out.fields;
      if (!r.configuration.query.destinationTable) {
        r.configuration.query.destinationTable = { projectId: r.jobReference.projectId, datasetId: '_fake_anonymous', tableId: `anon_${r.jobReference.jobId}` };
      }
      r.statistics.query = { totalRows: String(out.rows.length), statementType: 'SELECT' };
    }
  };
  const step = (job: Job) => {
    if (job.resource.status.state === 'DONE' || fake.stallJobs && job.steps <= 1) return;
    job.steps--;
    if (job.steps > 0) job.resource.status = { state: 'RUNNING' };
    else finish(job);
  };
  const jobOf = (id: string): Job => {
    const job = fake.jobs.get(id);
    if (!job) throw new HttpError(404, 'notFound', `Not found: Job ${id}`);
    return job;
  };
  const page = (fields: Field[], rows: RowSource, q: URLSearchParams) => {
    const start = Number(q.get('pageToken') ?? 0);
    const size = Number(q.get('maxResults') ?? fake.pageSize);
    const end = Math.min(rows.length, start + size);
    const out: Record<string, unknown> = { totalRows: String(rows.length), rows: new RawRows(rows.pages?.get(`${start}:${size}`) ?? pageText(fields, rows, start, end)) };
    if (end < rows.length) out.pageToken = String(end);
    return out;
  };
  fake.preserialize = (sql) => {
    const known = fake.queries.get(sql);
    if (!known || !('row' in known)) throw new Error(`no generated rows registered for '${sql}'`);
    const rows: RowSource = { length: known.count, at: known.row };
    known.pages = new Map();
    for (let start = 0; start < known.count; start += fake.pageSize) {
      known.pages.set(`${start}:${fake.pageSize}`, pageText(known.fields, rows, start, Math.min(known.count, start + fake.pageSize)));
    }
  };
  /** Rows [start, end) as the inside of a `rows` array, written a few thousand at a time. */
  function pageText(fields: Field[], rows: RowSource, start: number, end: number): string[] {
    const chunks: string[] = [];
    for (let from = start; from < end; from += 5000) {
      let text = '';
      for (let i = from; i < Math.min(end, from + 5000); i++) {
        const row = rows.at(i);
        text += `${i > start ? ',' : ''}{"f":[${fields.map((f) => `{"v":${JSON.stringify(encode(f, row[f.name]))}}`).join(',')}]}`;
      }
      chunks.push(text);
    }
    return chunks;
  }

  const route = (method: string, path: string, q: URLSearchParams, body: Buffer, contentType: string, res: ServerResponse): unknown => {
    let m: RegExpExecArray | null;
    if ((m = /^\/upload\/bigquery\/v2\/projects\/([^/]+)\/jobs$/.exec(path)) && method === 'POST') {
      if (q.get('uploadType') !== 'multipart') throw new HttpError(400, 'invalid', 'the fake serves uploadType=multipart only');
      const [meta, data] = multipart(body, contentType);
      return createJob(decodeURIComponent(m[1]), JSON.parse(meta.toString('utf8')), data).resource;
    }
    path = path.replace(/^\/bigquery\/v2/, '');
    m = /^\/projects\/([^/]+)(\/.*)$/.exec(path);
    if (!m) throw new HttpError(404, 'notFound', `no route ${method} ${path}`);
    const project = decodeURIComponent(m[1]);
    const rest = m[2];
    if (fake.projects.size && !fake.projects.has(project)) throw new HttpError(404, 'notFound', `Not found: Project ${project}`);
    if (rest === '/jobs' && method === 'POST') {
      const failure = fake.failInserts.shift();
      if (failure) throw new HttpError(failure.status, failure.reason, failure.message);
      const job = createJob(project, JSON.parse(body.toString('utf8')));
      if (fake.dropInsertAnswers > 0) {
        fake.dropInsertAnswers--;
        res.socket?.destroy();
        return undefined;
      }
      return job.resource;
    }
    if ((m = /^\/jobs\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const job = jobOf(decodeURIComponent(m[1]));
      step(job);
      return job.resource;
    }
    if ((m = /^\/jobs\/([^/]+)\/cancel$/.exec(rest)) && method === 'POST') {
      const job = jobOf(decodeURIComponent(m[1]));
      if (job.resource.status.state !== 'DONE') {
        const stopped = { reason: 'stopped', message: 'Job execution was cancelled: User requested cancellation' };
        job.resource.status = { state: 'DONE', errorResult: stopped, errors: [stopped] };
      }
      return { kind: 'bigquery#jobCancelResponse', job: job.resource };
    }
    if ((m = /^\/queries\/([^/]+)$/.exec(rest)) && method === 'GET') {
      const job = jobOf(decodeURIComponent(m[1]));
      step(job);
      const r = job.resource;
      if (r.status.state !== 'DONE') return { kind: 'bigquery#getQueryResultsResponse', jobReference: r.jobReference, jobComplete: false };
      if (r.status.errorResult) throw new HttpError(400, r.status.errorResult.reason, r.status.errorResult.message);
      const failure = fake.failResults.shift();
      if (failure) throw new HttpError(failure.status, failure.reason, failure.message);
      return { kind: 'bigquery#getQueryResultsResponse', jobReference: r.jobReference, jobComplete: true, schema: { fields: job.fields ?? [] }, ...page(job.fields ?? [], job.rows ?? sourceOf([]), q) };
    }
    if (rest.startsWith('/datasets') && fake.failCalls.length) {
      const failure = fake.failCalls.shift()!;
      throw new HttpError(failure.status, failure.reason, failure.message);
    }
    if (rest === '/datasets' && method === 'POST') {
      const json = JSON.parse(body.toString('utf8'));
      const id = String(json.datasetReference?.datasetId);
      if (datasets.has(key(project, id))) throw new HttpError(409, 'duplicate', `Already Exists: Dataset ${project}:${id}`);
      fake.createDataset(project, id);
      const d = dataset(project, id);
      Object.assign(d.resource, json, { location: json.location ?? 'US' });
      return d.resource;
    }
    if ((m = /^\/datasets\/([^/]+)$/.exec(rest))) {
      const id = decodeURIComponent(m[1]);
      const d = dataset(project, id);
      if (method === 'GET') return d.resource;
      if (method === 'PATCH') return Object.assign(d.resource, JSON.parse(body.toString('utf8')));
      if (method === 'DELETE') {
        if (d.tables.size && q.get('deleteContents') !== 'true') throw new HttpError(400, 'resourceInUse', `Dataset ${project}:${id} is still in use`);
        datasets.delete(key(project, id));
        return null;
      }
    }
    if ((m = /^\/datasets\/([^/]+)\/tables$/.exec(rest)) && method === 'POST') {
      const ds = decodeURIComponent(m[1]);
      const json = JSON.parse(body.toString('utf8'));
      const id = String(json.tableReference?.tableId);
      if (dataset(project, ds).tables.has(id)) throw new HttpError(409, 'duplicate', `Already Exists: Table ${project}:${ds}.${id}`);
      const { schema, ...extra } = json;
      return tableResource(putTable(project, ds, id, schema?.fields ?? [], [], extra));
    }
    if ((m = /^\/datasets\/([^/]+)\/tables\/([^/]+)$/.exec(rest))) {
      const [ds, id] = [decodeURIComponent(m[1]), decodeURIComponent(m[2])];
      const t = table(project, ds, id);
      if (method === 'GET') return tableResource(t);
      if (method === 'PATCH') {
        const { schema, tableReference: _ref, ...extra } = JSON.parse(body.toString('utf8'));
        if (schema?.fields) t.fields = schema.fields;
        Object.assign(t.resource, extra);
        return tableResource(t);
      }
      if (method === 'DELETE') {
        dataset(project, ds).tables.delete(id);
        return null;
      }
    }
    if ((m = /^\/datasets\/([^/]+)\/tables\/([^/]+)\/data$/.exec(rest)) && method === 'GET') {
      const t = table(project, decodeURIComponent(m[1]), decodeURIComponent(m[2]));
      return { kind: 'bigquery#tableDataList', ...page(t.fields, sourceOf(t.rows), q) };
    }
    throw new HttpError(404, 'notFound', `no route ${method} ${path}`);
  };

  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      fake.requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
      const send = (status: number, text: string) => res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(text);
      try {
        if (fake.requireJwt) {
          const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          if (!token || !verifyJwt(token, fake.requireJwt.publicKeyPem, fake.requireJwt.email)) {
            throw new HttpError(401, 'unauthorized', 'Request is missing required authentication credential. Expected OAuth 2 access token.');
          }
        }
        const out = route(req.method ?? 'GET', url.pathname, url.searchParams, Buffer.concat(chunks), String(req.headers['content-type'] ?? ''), res);
        if (res.socket?.destroyed) return;
        if (out === null) res.writeHead(204).end();
        else if (out && typeof out === 'object' && (out as { rows?: unknown }).rows instanceof RawRows) {
          const { rows, ...rest } = out as { rows: RawRows };
          const head = JSON.stringify(rest);
          res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
          res.write(`${head.slice(0, -1)}${head === '{}' ? '' : ','}"rows":[`);
          for (const chunk of rows.chunks) res.write(chunk);
          res.end(']}');
        } else send(200, JSON.stringify(out));
      } catch (err) {
        if (!(err instanceof HttpError)) return send(500, errorBody(500, 'internalError', String(err), 'INTERNAL'));
        send(err.code, errorBody(err.code, err.reason, err.message, STATUS[err.code] ?? 'UNKNOWN'));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  fake.endpoint = `http://127.0.0.1:${port}`;
  fake.close = () => new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return fake;
}
