// Microsoft SQL Server through `mssql` (tedious). Built on the real driver's documented API; no SQL
// Server can run on the development machines, so this dialect is not tested against a server.
import sql from 'mssql';
import { isTrue } from '../jdbc-url';
import { multiRow, numbered, type ParsedSql } from '../placeholders';
import { isoDateTime, isoFromDate, type TimeZone } from '../time-zone';
import {
  asIs, eventQueue, plainValue, rowFactory, toBase64, type BatchStatement, type ConnectOptions, type DbSession, type Dialect, type Row,
} from '../dialect';

/** SQL Server accepts at most 2,100 parameters per request and 1,000 rows per VALUES list. */
const MAX_PARAMS = 2_000;
const MAX_ROWS = 1_000;

export const sqlServerDialect: Dialect = {
  vendor: 'sqlserver',
  label: 'SQL Server',
  syntax: { brackets: true },
  transactions: true,
  async connect(options: ConnectOptions): Promise<DbSession> {
    const p = options.url.params;
    const pool = new sql.ConnectionPool({
      server: options.url.host,
      port: p.instancename ? undefined : options.url.port,
      user: options.username ?? options.url.user,
      password: options.password ?? options.url.password,
      database: options.url.database,
      connectionTimeout: p.logintimeout ? Number(p.logintimeout) * 1000 : 30_000,
      requestTimeout: 0,
      pool: { min: 0, max: 1 },
      options: {
        // The JDBC driver encrypts by default since 10.x; `encrypt=false` in the URL turns it off.
        encrypt: p.encrypt === undefined ? true : isTrue(p.encrypt),
        trustServerCertificate: isTrue(p.trustservercertificate),
        instanceName: p.instancename,
        useUTC: true,
        appName: p.applicationname ?? 'aloft',
      },
    });
    pool.on('error', () => undefined);
    try {
      await pool.connect();
    } catch (err) {
      await pool.close().catch(() => undefined);
      throw err;
    }
    return new SqlServerSession(pool, options.zone);
  },
};

/** Dates of zoneless columns come back (useUTC) with the wall time in their UTC fields. */
const wallText = (d: Date): string => d.toISOString().slice(0, 23).replace('T', ' ');

class SqlServerSession implements DbSession {
  private tx: sql.Transaction | undefined;
  private running: sql.Request | undefined;
  private closed = false;

  constructor(private readonly pool: sql.ConnectionPool, private readonly zone: TimeZone) {}

  private request(): sql.Request {
    return this.tx ? new sql.Request(this.tx) : new sql.Request(this.pool);
  }

  batches(text: string, fetchSize: number): AsyncIterable<Row[]> {
    const size = Math.max(1, Math.min(fetchSize, 1000));
    const request = this.request();
    request.stream = true;
    request.arrayRowMode = true;
    this.running = request;
    let build: ReturnType<typeof rowFactory> | undefined;
    let convert: ((v: unknown) => unknown)[] = [];
    let batch: Row[] = [];
    const queue = eventQueue<Row[]>({
      highWaterMark: 4,
      pause: () => request.pause(),
      resume: () => request.resume(),
      onReturn: () => request.cancel(),
    });
    request.on('recordset', (columns: { name: string; type: unknown }[]) => {
      build = rowFactory(columns.map((c) => c.name));
      convert = columns.map((c) => this.converter(c.type));
    });
    request.on('row', (values: unknown[]) => {
      if (!build) return;
      batch.push(build(values, convert));
      if (batch.length >= size) {
        queue.push(batch);
        batch = [];
      }
    });
    request.on('error', (err: unknown) => queue.fail(err));
    request.on('done', () => {
      this.running = undefined;
      if (batch.length > 0) queue.push(batch);
      queue.end();
    });
    request.query(text);
    return queue.iterable;
  }

  private converter(type: unknown): (v: unknown) => unknown {
    const zone = this.zone;
    if (type === sql.DateTimeOffset) return (v) => (v instanceof Date ? isoFromDate(v, zone) : v);
    if (type === sql.DateTime || type === sql.DateTime2 || type === sql.SmallDateTime) {
      return (v) => (v instanceof Date ? isoDateTime(wallText(v), zone) : v);
    }
    if (type === sql.Date) return (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
    if (type === sql.Time) return (v) => (v instanceof Date ? v.toISOString().slice(11, 23) : v);
    // tedious reads DECIMAL/MONEY as JS numbers (more than 15 digits lose precision); they travel as text like every decimal.
    if (type === sql.Decimal || type === sql.Numeric || type === sql.Money || type === sql.SmallMoney || type === sql.BigInt) return (v) => String(v);
    return (v) => (Buffer.isBuffer(v) ? toBase64(v) : asIs(v));
  }

  async execute(text: string): Promise<void> {
    await this.run(this.request(), text);
  }

  private async run(request: sql.Request, text: string): Promise<number> {
    this.running = request;
    try {
      const result = await request.query(text);
      return result.rowsAffected.reduce((a, b) => a + b, 0);
    } finally {
      this.running = undefined;
    }
  }

  async prepareBatch(parsed: ParsedSql): Promise<BatchStatement> {
    const single = numbered(parsed, 'at');
    const perStatement = parsed.values && parsed.count > 0 ? Math.max(1, Math.min(MAX_ROWS, Math.floor(MAX_PARAMS / parsed.count))) : 1;
    return {
      run: async (rows) => {
        let updated = 0;
        for (let at = 0; at < rows.length; at += perStatement) {
          const slice = rows.slice(at, at + perStatement);
          const request = this.request();
          let n = 0;
          for (const row of slice) for (const v of row) request.input(`p${++n}`, plainValue(v));
          updated += await this.run(request, slice.length === 1 ? single : multiRow(parsed, slice.length, 'at'));
        }
        return updated;
      },
    };
  }

  async begin(): Promise<void> {
    const tx = new sql.Transaction(this.pool);
    await tx.begin();
    this.tx = tx;
  }

  async commit(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    await tx?.commit();
  }

  async rollback(): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    await tx?.rollback();
  }

  async cancel(): Promise<void> {
    try {
      this.running?.cancel();
    } catch {
      // best effort
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.close().catch(() => undefined);
  }
}
