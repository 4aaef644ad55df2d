// Oracle through `oracledb` in thin mode (pure JavaScript, no Instant Client). Not tested against a
// server here. Dates and numbers are fetched as text in fixed formats so nothing is lost on the way.
import oracledb from 'oracledb';
import type { Connection, Metadata } from 'oracledb';
import { numbered, type ParsedSql } from '../placeholders';
import { isoDateTime, timeZoneOf, type TimeZone } from '../time-zone';
import { asIs, plainValue, rowFactory, toBase64, type BatchStatement, type ConnectOptions, type DbSession, type Dialect, type Row, type RowError } from '../dialect';

const UTC = timeZoneOf('UTC') as TimeZone;
const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export const oracleDialect: Dialect = {
  vendor: 'oracle',
  label: 'Oracle',
  syntax: {},
  transactions: true,
  async connect(options: ConnectOptions): Promise<DbSession> {
    const conn = await oracledb.getConnection({
      user: options.username ?? options.url.user,
      password: options.password ?? options.url.password,
      connectString: options.url.connectString,
      connectTimeout: 30,
    });
    try {
      await conn.execute(
        "ALTER SESSION SET TIME_ZONE = '+00:00' NLS_DATE_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS' " +
        "NLS_TIMESTAMP_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6' NLS_TIMESTAMP_TZ_FORMAT = 'YYYY-MM-DD\"T\"HH24:MI:SS.FF6TZH:TZM'",
      );
    } catch (err) {
      await conn.close().catch(() => undefined);
      throw err;
    }
    return new OracleSession(conn, options.zone);
  },
};

class OracleSession implements DbSession {
  private closed = false;

  constructor(private readonly conn: Connection, private readonly zone: TimeZone) {}

  async *batches(sql: string, fetchSize: number): AsyncIterable<Row[]> {
    const zone = this.zone;
    const result = await this.conn.execute(sql.replace(/;\s*$/, ''), [], {
      resultSet: true,
      outFormat: oracledb.OUT_FORMAT_ARRAY,
      fetchArraySize: fetchSize,
      fetchTypeHandler: (m: Metadata<unknown>) => fetchType(m, zone),
    });
    const rs = result.resultSet;
    if (!rs) return;
    try {
      const meta = result.metaData ?? [];
      const build = rowFactory(meta.map((m) => m.name));
      // The fetch type handler has converted the values already.
      const convert = meta.map(() => asIs);
      for (;;) {
        const rows = (await rs.getRows(fetchSize)) as unknown[][];
        if (rows.length === 0) break;
        yield rows.map((values) => build(values, convert));
      }
    } finally {
      await rs.close().catch(() => undefined);
    }
  }

  async execute(sql: string): Promise<void> {
    await this.conn.execute(sql.replace(/;\s*$/, ''));
  }

  async prepareBatch(parsed: ParsedSql): Promise<BatchStatement> {
    const text = numbered(parsed, 'colon').replace(/;\s*$/, '');
    return {
      run: async (rows) => {
        const binds = rows.map((r) => r.map(bindValue));
        const result = await this.conn.executeMany(text, binds, { autoCommit: false, batchErrors: true });
        const failed = result.batchErrors?.[0];
        if (failed) {
          const err: RowError = new Error(failed.message);
          err.rowIndex = (failed as { offset?: number }).offset;
          Object.assign(err, { code: failed.code });
          throw err;
        }
        return result.rowsAffected ?? 0;
      },
    };
  }

  async begin(): Promise<void> {}

  async commit(): Promise<void> {
    await this.conn.commit();
  }

  async rollback(): Promise<void> {
    await this.conn.rollback();
  }

  async cancel(): Promise<void> {
    await this.conn.break().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.conn.close().catch(() => undefined);
  }
}

function fetchType(m: Metadata<unknown>, zone: TimeZone): oracledb.FetchTypeResponse | undefined {
  switch (m.dbType) {
    case oracledb.DB_TYPE_NUMBER: {
      // Integers that fit a double stay numbers; every other NUMBER is text, as decimals are.
      const exact = (m.scale ?? -127) === 0 && (m.precision ?? 0) > 0 && (m.precision ?? 0) <= 15;
      return exact ? undefined : { type: oracledb.STRING };
    }
    case oracledb.DB_TYPE_DATE: case oracledb.DB_TYPE_TIMESTAMP: case oracledb.DB_TYPE_TIMESTAMP_TZ:
      return { type: oracledb.STRING, converter: (v: unknown) => (typeof v === 'string' ? isoDateTime(v, zone) : v) };
    case oracledb.DB_TYPE_TIMESTAMP_LTZ:
      return { type: oracledb.STRING, converter: (v: unknown) => (typeof v === 'string' ? isoDateTime(v, zone, UTC) : v) };
    case oracledb.DB_TYPE_CLOB: case oracledb.DB_TYPE_NCLOB:
      return { type: oracledb.STRING };
    case oracledb.DB_TYPE_BLOB: case oracledb.DB_TYPE_RAW:
      return { type: oracledb.BUFFER, converter: (v: unknown) => (v === null ? null : toBase64(v)) };
    default:
      return undefined;
  }
}

/** ISO instants bind as dates (Oracle would not parse the offset); everything else as is. */
function bindValue(v: unknown): unknown {
  if (typeof v === 'string' && ISO_OFFSET.test(v)) return new Date(v);
  return plainValue(v);
}
