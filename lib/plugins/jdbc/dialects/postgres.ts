// PostgreSQL (and Redshift, which speaks its protocol) through `pg`, with `pg-cursor` for Query so
// that a result set is read fetchSize rows at a time. The session runs in UTC.
import { connect as netConnect } from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { Client, types as pgTypes } from 'pg';
import type { ClientConfig, FieldDef } from 'pg';
import Cursor from 'pg-cursor';
import { isTrue } from '../jdbc-url';
import { multiRow, numbered, type ParsedSql } from '../placeholders';
import { isoDateTime, type TimeZone } from '../time-zone';
import {
  asIs, plainValue, rowFactory, toBase64, type BatchStatement, type ConnectOptions, type DbSession, type Dialect, type Row, type SslOptions,
} from '../dialect';

// Type OIDs whose text we convert ourselves rather than let `pg` turn into JS Dates (which lose microseconds).
const OID = { BYTEA: 17, INT8: 20, DATE: 1082, TIME: 1083, TIMESTAMP: 1114, TIMESTAMPTZ: 1184, INTERVAL: 1186, TIMETZ: 1266, NUMERIC: 1700 } as const;
const RAW = new Set<number>([OID.DATE, OID.TIME, OID.TIMESTAMP, OID.TIMESTAMPTZ, OID.INTERVAL, OID.TIMETZ, OID.NUMERIC, OID.INT8, 1231 /* numeric[] */]);
const identity = (v: string): string => v;
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (RAW.has(oid) ? identity : pgTypes.getTypeParser(oid, format as 'text'))) as typeof pgTypes.getTypeParser,
};
/** PostgreSQL accepts at most 65,535 parameters in one statement. */
const MAX_PARAMS = 65_535;

export const postgresDialect: Dialect = makeDialect('postgresql', 'PostgreSQL', true);
export const redshiftDialect: Dialect = makeDialect('redshift', 'Redshift', false);

function makeDialect(vendor: 'postgresql' | 'redshift', label: string, probeTypes: boolean): Dialect {
  return {
    vendor,
    label,
    syntax: { dollarQuotes: true },
    transactions: true,
    async connect(options: ConnectOptions): Promise<DbSession> {
      const client = new Client(clientConfig(options));
      client.on('error', () => undefined); // a dropped socket is reported by the pending call
      try {
        await client.connect();
        await client.query("SET TIME ZONE 'UTC'");
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      return new PgSession(client, options, probeTypes);
    },
  };
}

function clientConfig(o: ConnectOptions): ClientConfig {
  const p = o.url.params;
  const timeout = p.connecttimeout ?? p.logintimeout;
  return {
    host: o.url.host,
    port: o.url.port,
    user: o.username ?? o.url.user,
    password: o.password ?? o.url.password,
    database: o.url.database,
    ssl: sslConfig(o.ssl, p),
    connectionTimeoutMillis: timeout ? Number(timeout) * 1000 : 30_000,
    application_name: p.applicationname ?? 'aloft',
    ...(p.currentschema ? { options: `-c search_path=${p.currentschema}` } : {}),
    types: typeParsers,
  };
}

/** Kestra's ssl/sslMode properties (or the URL's ssl/sslmode) as Node TLS options. */
export function sslConfig(ssl: SslOptions | undefined, params: Record<string, string>): false | TlsOptions {
  const mode = (ssl?.sslMode ?? params.sslmode?.toUpperCase().replace('-', '_')) as SslOptions['sslMode'] | undefined;
  const wanted = ssl?.ssl ?? isTrue(params.ssl);
  if (mode === 'DISABLE' || (!mode && !wanted)) return false;
  const tls: TlsOptions = {};
  if (ssl?.sslRootCert) tls.ca = ssl.sslRootCert;
  if (ssl?.sslCert) tls.cert = ssl.sslCert;
  if (ssl?.sslKey) tls.key = ssl.sslKey;
  if (ssl?.sslKeyPassword) tls.passphrase = ssl.sslKeyPassword;
  // As pgjdbc: ssl=true alone verifies the server fully; allow/prefer/require only encrypt.
  const effective = mode ?? 'VERIFY_FULL';
  tls.rejectUnauthorized = effective === 'VERIFY_CA' || effective === 'VERIFY_FULL';
  if (effective === 'VERIFY_CA') tls.checkServerIdentity = () => undefined;
  return tls;
}

class PgSession implements DbSession {
  private closed = false;
  private statements = 0;

  constructor(private readonly client: Client, private readonly options: ConnectOptions, private readonly probeTypes: boolean) {}

  async *batches(sql: string, fetchSize: number): AsyncIterable<Row[]> {
    const cursor = this.client.query(new Cursor(sql, [], { rowMode: 'array' }));
    try {
      let build: ReturnType<typeof rowFactory> | undefined;
      let convert: ((v: unknown) => unknown)[] = [];
      for (;;) {
        const rows = await readCursor(cursor, fetchSize);
        if (!build) {
          const fields = rows.fields;
          build = rowFactory(fields.map((f) => f.name));
          convert = fields.map((f) => this.converter(f));
        }
        const make = build;
        if (rows.rows.length > 0) yield rows.rows.map((values) => make(values, convert));
        if (rows.rows.length < fetchSize) break;
      }
    } finally {
      await cursor.close().catch(() => undefined);
    }
  }

  private converter(f: FieldDef): (v: unknown) => unknown {
    const zone: TimeZone = this.options.zone;
    switch (f.dataTypeID) {
      case OID.TIMESTAMP: case OID.TIMESTAMPTZ:
        return (v) => isoDateTime(String(v), zone);
      case OID.BYTEA:
        return toBase64;
      default:
        return asIs;
    }
  }

  async execute(sql: string): Promise<void> {
    // The simple protocol, so that scripts of several statements run as they would in psql.
    await this.client.query(sql);
  }

  async prepareBatch(parsed: ParsedSql): Promise<BatchStatement> {
    const single = numbered(parsed, 'dollar');
    const kinds = this.probeTypes ? await this.parameterTypes(single) : [];
    const bind = kinds.map(binder);
    const fallback = binder('');
    const perStatement = parsed.values && parsed.count > 0 ? Math.max(1, Math.floor(MAX_PARAMS / parsed.count)) : 1;
    const statements = new Map<number, { name: string; text: string }>();
    const id = ++this.statements;
    return {
      run: async (rows) => {
        let updated = 0;
        for (let at = 0; at < rows.length; at += perStatement) {
          const slice = rows.slice(at, at + perStatement);
          const values: unknown[] = [];
          for (const row of slice) for (let i = 0; i < row.length; i++) values.push((bind[i] ?? fallback)(row[i]));
          // A named statement is parsed once per connection and reused for every chunk of that size.
          let statement = statements.get(slice.length);
          if (!statement) {
            statement = { name: `aloft_batch_${id}_${slice.length}`, text: slice.length === 1 ? single : multiRow(parsed, slice.length, 'dollar') };
            statements.set(slice.length, statement);
          }
          const result = await this.client.query({ ...statement, values });
          updated += result.rowCount ?? 0;
        }
        return updated;
      },
    };
  }

  /** The server's types for each placeholder; preparing also reports SQL errors before any row is sent. */
  private async parameterTypes(sql: string): Promise<string[]> {
    const name = `aloft_probe_${++this.statements}`;
    await this.client.query(`PREPARE ${name} AS ${sql}`);
    try {
      const result = await this.client.query('SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = $1', [name]);
      return (result.rows[0]?.types as string[] | undefined) ?? [];
    } finally {
      await this.client.query(`DEALLOCATE ${name}`).catch(() => undefined);
    }
  }

  async begin(): Promise<void> {
    await this.client.query('BEGIN');
  }

  async commit(): Promise<void> {
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.client.query('ROLLBACK');
  }

  async cancel(): Promise<void> {
    const c = this.client as unknown as { processID?: number; secretKey?: number };
    if (this.closed || !c.processID) return;
    // The protocol's CancelRequest, on a fresh socket: it stops the statement on the server.
    await new Promise<void>((resolve) => {
      const socket = netConnect(this.options.url.port, this.options.url.host);
      const timer = setTimeout(() => socket.destroy(), 5000);
      socket.on('connect', () => {
        const msg = Buffer.alloc(16);
        msg.writeInt32BE(16, 0);
        msg.writeInt32BE(80877102, 4);
        msg.writeInt32BE(c.processID as number, 8);
        msg.writeInt32BE(c.secretKey as number, 12);
        socket.end(msg);
      });
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stream = (this.client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        stream?.destroy();
        resolve();
      }, 5000);
      this.client.end().catch(() => undefined).finally(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function readCursor(cursor: Cursor, count: number): Promise<{ rows: unknown[][]; fields: FieldDef[] }> {
  return new Promise((resolve, reject) => {
    cursor.read(count, (err, rows, result) => (err ? reject(err) : resolve({ rows: rows as unknown[][], fields: result?.fields ?? [] })));
  });
}

/** How a row value is bound for a parameter of the given server type. */
function binder(type: string): (v: unknown) => unknown {
  if (type === 'bytea') return (v) => (typeof v === 'string' ? Buffer.from(v, 'base64') : plainValue(v));
  if (type === 'json' || type === 'jsonb') return (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  // Arrays go to array parameters as arrays (pg writes the array literal); anything else structured is JSON text.
  if (type.endsWith('[]')) return (v) => (Array.isArray(v) ? v : plainValue(v));
  return plainValue;
}
