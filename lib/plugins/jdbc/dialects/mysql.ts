// MySQL and MariaDB through mysql2. The session runs in UTC (`time_zone = '+00:00'`), so TIMESTAMP
// columns arrive as UTC wall times; DATETIME columns are wall times in the task's time zone.
import { createReadStream } from 'node:fs';
import mysql from 'mysql2';
import type { Connection, ConnectionOptions, FieldPacket } from 'mysql2';
import { isTrue } from '../jdbc-url';
import { multiRow, numbered, type ParsedSql } from '../placeholders';
import { isoDateTime, timeZoneOf, wallTimeOf, type TimeZone } from '../time-zone';
import { asIs, eventQueue, plainValue, rowFactory, toBase64, toText, type BatchStatement, type ConnectOptions, type DbSession, type Dialect, type Row } from '../dialect';

// mysql2's column type codes (MySQL protocol).
const T = {
  DECIMAL: 0, LONGLONG: 8, TIMESTAMP: 7, DATE: 10, DATETIME: 12, NEWDATE: 14, TIMESTAMP2: 17, DATETIME2: 18, NEWDECIMAL: 246,
} as const;
const UTC = timeZoneOf('UTC') as TimeZone;
/** MySQL accepts at most 65,535 placeholders in one prepared statement. */
const MAX_PARAMS = 65_535;

export const mysqlDialect: Dialect = {
  vendor: 'mysql',
  label: 'MySQL',
  syntax: { backslashEscapes: true },
  transactions: true,
  async connect(options: ConnectOptions): Promise<DbSession> {
    const config = connectionConfig(options);
    const conn = mysql.createConnection(config);
    // Errors after the handshake (a dropped socket) must not crash the process; the pending call reports them.
    conn.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    const session = new MysqlSession(conn, config, options.zone);
    try {
      await session.execute("SET time_zone = '+00:00'");
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  },
};

function connectionConfig(o: ConnectOptions): ConnectionOptions {
  const p = o.url.params;
  const ssl = isTrue(p.usessl) || ['required', 'verify_ca', 'verify_identity'].includes((p.sslmode ?? '').toLowerCase());
  return {
    host: o.url.host,
    port: o.url.port,
    user: o.username ?? o.url.user,
    password: o.password ?? o.url.password,
    database: o.url.database,
    ssl: ssl ? { rejectUnauthorized: ['verify_ca', 'verify_identity'].includes((p.sslmode ?? '').toLowerCase()) } : undefined,
    connectTimeout: p.connecttimeout ? Number(p.connecttimeout) : 30_000,
    multipleStatements: isTrue(p.allowmultiqueries),
    charset: 'utf8mb4',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    timezone: 'Z',
    ...(o.localInfile ? { infileStreamFactory: () => createReadStream(o.localInfile as string) } : {}),
  };
}

class MysqlSession implements DbSession {
  private busy = false;
  private closed = false;
  private killed = false;

  constructor(private readonly conn: Connection, private readonly config: ConnectionOptions, private readonly zone: TimeZone) {}

  batches(sql: string, fetchSize: number): AsyncIterable<Row[]> {
    // mysql2 hands rows over as the server sends them; the socket is paused while batches wait, so
    // fetchSize only sets the batch size here.
    const size = Math.max(1, Math.min(fetchSize, 1000));
    const query = this.conn.query({ sql, rowsAsArray: true });
    const queue = eventQueue<Row[]>({ highWaterMark: 4, pause: () => this.conn.pause(), resume: () => this.conn.resume() });
    let build: ReturnType<typeof rowFactory> | undefined;
    let convert: ((v: unknown) => unknown)[] = [];
    let batch: Row[] = [];
    // Busy until the server has sent everything: a consumer that stops early leaves the query
    // running, and close() must then stop it rather than wait behind it.
    this.busy = true;
    query.on('fields', (fields?: FieldPacket[]) => {
      if (!fields) return;
      build = rowFactory(fields.map((f) => f.name));
      convert = fields.map((f) => this.converter(f));
    });
    query.on('result', (item: unknown) => {
      // Statements without a result set (UPDATE...) report an OK packet, an object, not a row.
      if (!Array.isArray(item) || !build) return;
      batch.push(build(item, convert));
      if (batch.length >= size) {
        queue.push(batch);
        batch = [];
      }
    });
    query.on('error', (err: Error) => queue.fail(err));
    query.on('end', () => {
      this.busy = false;
      if (batch.length > 0) queue.push(batch);
      queue.end();
    });
    return queue.iterable;
  }

  private converter(f: FieldPacket): (v: unknown) => unknown {
    switch (f.columnType ?? f.type) {
      case T.DATETIME: case T.DATETIME2:
        return (v) => isoDateTime(String(v), this.zone);
      case T.TIMESTAMP: case T.TIMESTAMP2:
        return (v) => isoDateTime(String(v), this.zone, UTC);
      case T.LONGLONG: case T.DECIMAL: case T.NEWDECIMAL:
        return toText;
      case T.DATE: case T.NEWDATE:
        return toText;
      default:
        return (v) => (Buffer.isBuffer(v) ? toBase64(v) : asIs(v));
    }
  }

  execute(sql: string): Promise<void> {
    return this.call(sql, undefined, false).then(() => undefined);
  }

  private call(sql: string, values: unknown[] | undefined, prepared: boolean): Promise<number> {
    this.busy = true;
    return new Promise<number>((resolve, reject) => {
      const done = (err: Error | null, result: unknown): void => {
        this.busy = false;
        if (err) reject(err);
        else resolve(Array.isArray(result) ? 0 : Number((result as { affectedRows?: number })?.affectedRows ?? 0));
      };
      if (prepared) this.conn.execute(sql, values as any[], done);
      else this.conn.query(sql, values as any[], done);
    });
  }

  async prepareBatch(parsed: ParsedSql): Promise<BatchStatement> {
    const single = numbered(parsed, 'question');
    // Preparing checks the SQL before any row is sent.
    await new Promise<void>((resolve, reject) => this.conn.prepare(single, (err) => (err ? reject(err) : resolve())));
    const perStatement = parsed.values && parsed.count > 0 ? Math.max(1, Math.floor(MAX_PARAMS / parsed.count)) : 1;
    const zone = this.zone;
    const texts = new Map<number, string>();
    const bind = (v: unknown): unknown => {
      // MySQL rejects offsets in date-time literals: ISO instants become wall times in the task's zone.
      if (typeof v === 'string') return wallTimeOf(v, zone) ?? v;
      return plainValue(v);
    };
    return {
      run: async (rows) => {
        let updated = 0;
        for (let at = 0; at < rows.length; at += perStatement) {
          const slice = rows.slice(at, at + perStatement);
          const values: unknown[] = [];
          for (const row of slice) for (const v of row) values.push(bind(v));
          let text = texts.get(slice.length);
          if (!text) texts.set(slice.length, (text = slice.length === 1 ? single : multiRow(parsed, slice.length, 'question')));
          updated += await this.call(text, values, true);
        }
        return updated;
      },
    };
  }

  begin(): Promise<void> {
    return this.execute('START TRANSACTION');
  }

  commit(): Promise<void> {
    return this.execute('COMMIT');
  }

  rollback(): Promise<void> {
    return this.execute('ROLLBACK');
  }

  async cancel(): Promise<void> {
    if (!this.busy || this.killed) return;
    this.killed = true;
    // KILL QUERY from a second connection stops the statement on the server, not just our socket.
    const killer = mysql.createConnection({ ...this.config, infileStreamFactory: undefined });
    killer.on('error', () => undefined);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      killer.query(`KILL QUERY ${Number(this.conn.threadId)}`, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    killer.destroy();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.busy) {
      // A statement still runs (the consumer stopped early, or the run was killed): MariaDB would finish
      // it even with nobody reading, so stop it on the server before dropping the connection.
      await this.cancel();
      this.conn.destroy();
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.conn.destroy();
        resolve();
      }, 5000);
      this.conn.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
