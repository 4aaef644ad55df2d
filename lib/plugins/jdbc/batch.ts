// Batch: streams the JSON Lines file `from`, binds each row to the `?` placeholders of `sql`, and
// commits one transaction per `chunk` rows. A failure stops the task: the chunks committed before
// the failing one stay committed, the failing chunk is rolled back, and the error names the line.
import type { TaskContext } from '../types';
import { readJsonLines } from '../serdes/json-lines';
import type { BatchStatement, DbSession, Dialect, RowError } from './dialect';
import { abortError, describe, isAloftError, taskFailed } from './errors';
import type { Vendor } from './jdbc-url';
import { parseSql } from './placeholders';
import type { BatchOutputs, BatchProperties } from './properties';
import { zoneOf } from './query';
import { withSession } from './session';

export const DEFAULT_CHUNK = 1000;

interface PendingRow {
  line: number;
  values: unknown[];
}

export async function runBatch(ctx: TaskContext, vendor: Vendor, props: BatchProperties): Promise<BatchOutputs> {
  const zone = zoneOf(props.timeZoneId);
  const chunkSize = props.chunk ?? DEFAULT_CHUNK;
  // Read access is checked by storage before any connection is opened (STORAGE_FORBIDDEN, STORAGE_NOT_FOUND).
  const source = await ctx.storage.get(props.from);
  const ssl = { ssl: props.ssl, sslMode: props.sslMode, sslRootCert: props.sslRootCert, sslCert: props.sslCert, sslKey: props.sslKey, sslKeyPassword: props.sslKeyPassword };
  const secrets = [props.password];
  try {
    return await withSession(ctx, { vendor, url: props.url, username: props.username, password: props.password, zone, ssl }, async (session, dialect) => {
      const parsed = parseSql(props.sql, dialect.syntax);
      if (parsed.count === 0) throw taskFailed('sql has no ? placeholder: give one ? per value of a row', { property: 'sql' });
      ctx.logger.debug(`Starting prepared statement: ${props.sql}`);
      let statement: BatchStatement;
      try {
        statement = await session.prepareBatch(parsed);
      } catch (err) {
        throw taskFailed(`${dialect.label} rejected the sql: ${describe(err, secrets)}`, { property: 'sql' });
      }
      const progress = { rows: 0, chunks: 0 };
      const failed = (line: number, message: string): Error =>
        taskFailed(`line ${line} of ${props.from}: ${message}; ${committedNote(progress)}`, { property: 'from' });
      let updated = 0;
      let chunk: PendingRow[] = [];
      const flush = async (): Promise<void> => {
        updated += await runChunk(session, dialect, statement, chunk, failed, secrets);
        progress.rows += chunk.length;
        progress.chunks++;
        chunk = [];
      };
      for await (const { line, value } of readJsonLines(source, props.from)) {
        if (ctx.signal.aborted) throw abortError(ctx.signal);
        const values = rowValues(value, props.columns, parsed.count);
        if (typeof values === 'string') throw failed(line, values);
        chunk.push({ line, values });
        if (chunk.length >= chunkSize) await flush();
      }
      if (chunk.length > 0) await flush();
      ctx.metrics.counter('records', progress.rows);
      ctx.metrics.counter('updated', updated);
      ctx.logger.info(`Successfully bulk ${progress.rows} queries with ${updated} updated rows`);
      return { rowCount: progress.rows, updatedCount: updated };
    });
  } finally {
    if ('destroy' in source && typeof source.destroy === 'function') source.destroy();
  }
}

/** The values to bind for one row, or a message saying why the row does not fit the statement. */
export function rowValues(value: unknown, columns: readonly string[] | undefined, count: number): unknown[] | string {
  let values: unknown[];
  if (Array.isArray(value)) values = value;
  else if (value !== null && typeof value === 'object') {
    const row = value as Record<string, unknown>;
    if (columns && columns.length > 0) {
      const missing = columns.filter((c) => !Object.prototype.hasOwnProperty.call(row, c));
      if (missing.length > 0) return `the row has no column ${missing.map((c) => `"${c}"`).join(', ')} (columns: ${Object.keys(row).join(', ')})`;
      values = columns.map((c) => row[c]);
    } else values = Object.values(row);
  } else return `a row must be a JSON object or array, got ${value === null ? 'null' : typeof value}`;
  if (values.length !== count) {
    return `column-count mismatch: the row has ${values.length} value${values.length === 1 ? '' : 's'} but the sql has ${count} ? placeholder${count === 1 ? '' : 's'}` +
      (columns?.length ? '' : ' (list the wanted ones in `columns`)');
  }
  return values;
}

function committedNote(progress: { rows: number; chunks: number }): string {
  return progress.chunks === 0
    ? 'nothing was committed'
    : `the ${progress.chunks} chunk${progress.chunks === 1 ? '' : 's'} before it (${progress.rows} rows) stay committed, this chunk was rolled back`;
}

async function runChunk(
  session: DbSession, dialect: Dialect, statement: BatchStatement, chunk: PendingRow[],
  failed: (line: number, message: string) => Error, secrets: readonly (string | undefined)[],
): Promise<number> {
  await session.begin();
  try {
    const updated = await statement.run(chunk.map((r) => r.values));
    await session.commit();
    return updated;
  } catch (err) {
    await session.rollback().catch(() => undefined);
    if (isAloftError(err)) throw err;
    const known = (err as RowError).rowIndex;
    if (known !== undefined && chunk[known]) throw failed(chunk[known].line, `${dialect.label} rejected the row: ${describe(err, secrets)}`);
    if (chunk.length === 1) throw failed(chunk[0].line, `${dialect.label} rejected the row: ${describe(err, secrets)}`);
    // The chunk went as one statement: replay it row by row, in a transaction rolled back afterwards, to find the row.
    const culprit = dialect.transactions ? await locate(session, statement, chunk) : undefined;
    if (culprit) throw failed(culprit.line, `${dialect.label} rejected the row: ${describe(culprit.error, secrets)}`);
    throw failed(chunk[0].line, `${dialect.label} rejected the chunk of lines ${chunk[0].line}-${chunk[chunk.length - 1].line}: ${describe(err, secrets)}`);
  }
}

async function locate(session: DbSession, statement: BatchStatement, chunk: PendingRow[]): Promise<{ line: number; error: unknown } | undefined> {
  await session.begin();
  try {
    for (const row of chunk) {
      try {
        await statement.run([row.values]);
      } catch (error) {
        return { line: row.line, error };
      }
    }
    return undefined;
  } finally {
    await session.rollback().catch(() => undefined);
  }
}
