// ClickHouse through `@clickhouse/client` (HTTP). ClickHouse has no `?` placeholders and no
// transactions: Batch inlines escaped literals, and each chunk is one INSERT (atomic per insert block).
// Not tested against a server here.
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ParsedSql } from '../placeholders';
import { isoDateTime, type TimeZone } from '../time-zone';
import { asIs, plainValue, rowFactory, type BatchStatement, type ConnectOptions, type DbSession, type Dialect, type Row } from '../dialect';

export const clickHouseDialect: Dialect = {
  vendor: 'clickhouse',
  label: 'ClickHouse',
  syntax: { backslashEscapes: true },
  transactions: false,
  async connect(options: ConnectOptions): Promise<DbSession> {
    const u = options.url;
    const client = createClient({
      url: `${u.protocol ?? 'http'}://${u.host}:${u.port}`,
      username: options.username ?? u.user ?? 'default',
      password: options.password ?? u.password ?? '',
      database: u.database || 'default',
      application: 'aloft',
      request_timeout: 24 * 3_600_000,
      clickhouse_settings: {
        // Text for 64-bit integers and decimals (no precision lost), ISO dates in UTC.
        output_format_json_quote_64bit_integers: 1,
        output_format_json_quote_decimals: 1,
        date_time_output_format: 'iso',
        // Progress headers keep a long query's connection alive through load balancers.
        send_progress_in_http_headers: 1,
        http_headers_progress_interval_ms: '60000',
      },
      // Failures reach the task as errors; the client's own console logging would bypass task logs.
      log: { level: ClickHouseLogLevel.OFF },
    });
    const ping = await client.ping();
    if (!ping.success) {
      await client.close();
      throw (ping as { error?: Error }).error ?? new Error('ClickHouse did not answer');
    }
    return new ClickHouseSession(client, options.zone);
  },
};

class ClickHouseSession implements DbSession {
  private running: AbortController | undefined;

  constructor(private readonly client: ClickHouseClient, private readonly zone: TimeZone) {}

  async *batches(sql: string): AsyncIterable<Row[]> {
    const abort = new AbortController();
    this.running = abort;
    try {
      const result = await this.client.query({ query: sql, format: 'JSONCompactEachRowWithNamesAndTypes', abort_signal: abort.signal });
      let names: string[] | undefined;
      let build: ReturnType<typeof rowFactory> | undefined;
      let convert: ((v: unknown) => unknown)[] = [];
      for await (const chunk of result.stream()) {
        const rows: Row[] = [];
        for (const item of chunk) {
          const values = item.json() as unknown[];
          if (!names) {
            names = values as string[];
            build = rowFactory(names);
          } else if (convert.length === 0 && names.length > 0) {
            convert = (values as string[]).map((t) => this.converter(t));
          } else if (build) rows.push(build(values, convert));
        }
        if (rows.length > 0) yield rows;
      }
    } finally {
      this.running = undefined;
      abort.abort();
    }
  }

  private converter(type: string): (v: unknown) => unknown {
    const base = type.replace(/^(Nullable|LowCardinality)\((.*)\)$/, '$2');
    if (base.startsWith('DateTime')) return (v) => isoDateTime(String(v), this.zone);
    return asIs;
  }

  async execute(sql: string): Promise<void> {
    await this.client.command({ query: sql });
  }

  async prepareBatch(parsed: ParsedSql): Promise<BatchStatement> {
    return {
      run: async (rows) => {
        const statement = parsed.values
          ? `${parsed.values.prefix}${rows.map((r) => inline(parsed.values!.group, r)).join(', ')}${parsed.values.suffix}`
          : undefined;
        if (statement) return written(await this.client.command({ query: statement }), rows.length);
        let updated = 0;
        for (const r of rows) updated += written(await this.client.command({ query: inline(parsed.parts, r) }), 1);
        return updated;
      },
    };
  }

  // No transactions in ClickHouse: a chunk is one INSERT statement.
  async begin(): Promise<void> {}
  async commit(): Promise<void> {}
  async rollback(): Promise<void> {}

  async cancel(): Promise<void> {
    this.running?.abort();
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }
}

function written(result: { summary?: { written_rows?: string } }, fallback: number): number {
  const n = Number(result.summary?.written_rows);
  return Number.isFinite(n) ? n : fallback;
}

function inline(parts: readonly string[], values: readonly unknown[]): string {
  let text = parts[0];
  for (let i = 1; i < parts.length; i++) text += literal(values[i - 1]) + parts[i];
  return text;
}

/** A ClickHouse SQL literal. */
export function literal(value: unknown): string {
  const v = plainValue(value);
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Buffer.isBuffer(v)) return `unhex('${v.toString('hex')}')`;
  return `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
