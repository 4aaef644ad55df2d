// The narrow interface every database driver hides behind. Query and Batch only speak this;
// no driver connection, cursor or transaction type leaves lib/plugins/jdbc/dialects/.
import type { JdbcUrl, Vendor } from './jdbc-url';
import type { ParsedSql, SqlSyntax } from './placeholders';
import type { TimeZone } from './time-zone';

/** A row as Aloft stores it: column name to a JSON value. */
export type Row = Record<string, unknown>;

export const SslMode = {
  DISABLE: 'DISABLE', ALLOW: 'ALLOW', PREFER: 'PREFER', REQUIRE: 'REQUIRE', VERIFY_CA: 'VERIFY_CA', VERIFY_FULL: 'VERIFY_FULL',
} as const;
export type SslMode = (typeof SslMode)[keyof typeof SslMode];

/** Kestra's PostgreSQL SSL properties (PEM texts). */
export interface SslOptions {
  ssl?: boolean;
  sslMode?: SslMode;
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  sslKeyPassword?: string;
}

export interface ConnectOptions {
  url: JdbcUrl;
  username?: string;
  password?: string;
  zone: TimeZone;
  ssl?: SslOptions;
  /** MySQL only: the local file `LOAD DATA LOCAL INFILE` may read. */
  localInfile?: string;
}

/** One prepared Batch statement on one session. */
export interface BatchStatement {
  /**
   * Runs the rows (each holds exactly the statement's placeholder count of values) inside the current
   * transaction and returns the updated count. On failure it throws the driver's error, with
   * `rowIndex` set when the driver knows which row failed.
   */
  run(rows: readonly unknown[][]): Promise<number>;
}

export interface DbSession {
  /**
   * Streams the rows of one statement, mapped to JSON values, in batches: `fetchSize` rows per round
   * trip where the driver reads that way. Batches keep the per-row cost of a large table down.
   */
  batches(sql: string, fetchSize: number): AsyncIterable<Row[]>;
  /** Runs statements whose results are not wanted. */
  execute(sql: string): Promise<void>;
  /** Prepares a Batch statement; SQL errors surface here, before any row is sent. */
  prepareBatch(sql: ParsedSql): Promise<BatchStatement>;
  begin(): Promise<void>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
  /** Asks the server to stop the running statement (best effort, never throws). */
  cancel(): Promise<void>;
  /** Closes the connection; safe to call twice, never throws. */
  close(): Promise<void>;
}

export interface Dialect {
  vendor: Vendor;
  /** Display name for messages. */
  label: string;
  syntax: SqlSyntax;
  /** False where the database has no transactions (ClickHouse): a failed chunk is not replayed row by row. */
  transactions: boolean;
  connect(options: ConnectOptions): Promise<DbSession>;
}

/** A driver error with the index (in the rows given to `run`) of the row that failed, when known. */
export interface RowError extends Error {
  rowIndex?: number;
}

/** Builds row objects from column names; a column named `__proto__` stays a plain property. */
export function rowFactory(names: readonly string[]): (values: readonly unknown[], convert: readonly ((v: unknown) => unknown)[]) => Row {
  const unsafe = names.includes('__proto__');
  return (values, convert) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) {
      const v = values[i];
      const mapped = v === null || v === undefined ? null : convert[i](v);
      if (unsafe) Object.defineProperty(row, names[i], { value: mapped, enumerable: true, writable: true, configurable: true });
      else row[names[i]] = mapped;
    }
    return row;
  };
}

export const asIs = (v: unknown): unknown => v;
export const toText = (v: unknown): unknown => (typeof v === 'string' ? v : String(v));
export const toBase64 = (v: unknown): unknown => (Buffer.isBuffer(v) ? v.toString('base64') : v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v);

/** Values any driver can bind: objects become JSON text, undefined becomes NULL. */
export function plainValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date)) return JSON.stringify(v);
  return v;
}

/**
 * Turns push-style driver events into an async iterable with backpressure: `pause` is called when
 * `highWaterMark` items wait, `resume` once the consumer has drained them.
 */
export function eventQueue<T>(opts: { highWaterMark: number; pause(): void; resume(): void; onReturn?(): void }): {
  push(item: T): void; end(): void; fail(err: unknown): void; iterable: AsyncIterable<T>;
} {
  const items: T[] = [];
  let done = false;
  let error: unknown;
  let paused = false;
  let wake: (() => void) | undefined;
  let head = 0; // index of the next item to hand out
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    push(item) {
      items.push(item);
      if (!paused && items.length - head >= opts.highWaterMark) {
        paused = true;
        opts.pause();
      }
      notify();
    },
    end() {
      done = true;
      notify();
    },
    fail(err) {
      error ??= err;
      done = true;
      notify();
    },
    iterable: {
      [Symbol.asyncIterator](): AsyncIterator<T> {
        return {
          async next(): Promise<IteratorResult<T>> {
            for (;;) {
              if (error !== undefined) throw error;
              if (head < items.length) {
                const value = items[head];
                items[head++] = undefined as T; // a consumed item must not stay reachable
                if (head >= 64 && head * 2 >= items.length) {
                  items.splice(0, head);
                  head = 0;
                }
                if (paused && items.length - head <= opts.highWaterMark / 2) {
                  paused = false;
                  opts.resume();
                }
                return { value, done: false };
              }
              if (done) return { value: undefined, done: true };
              await new Promise<void>((resolve) => { wake = resolve; });
            }
          },
          async return(): Promise<IteratorResult<T>> {
            done = true;
            opts.onReturn?.();
            return { value: undefined, done: true };
          },
        };
      },
    },
  };
}
