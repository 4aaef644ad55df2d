// Query: runs `sql`, then keeps one row (fetchOne), stores every row as a JSON Lines file (store) or
// returns them (fetch), in that order of precedence as in Kestra. Rows are streamed from a cursor.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TaskContext } from '../types';
import type { Row } from './dialect';
import { describe, isAloftError, taskFailed } from './errors';
import type { Vendor } from './jdbc-url';
import type { QueryOutputs, QueryProperties } from './properties';
import { withSession } from './session';
import { timeZoneOf, type TimeZone } from './time-zone';

export const DEFAULT_FETCH_SIZE = 10_000;
/** The name of the file `store: true` writes. */
export const STORE_FILE = 'result.jsonl';

export async function runQuery(ctx: TaskContext, vendor: Vendor, props: QueryProperties): Promise<QueryOutputs> {
  const zone = zoneOf(props.timeZoneId);
  const fetchSize = props.fetchSize ?? DEFAULT_FETCH_SIZE;
  let sql = props.sql;
  let localInfile: string | undefined;
  if (vendor === 'mysql') {
    // `sql` is rendered here (a lazy property) because it may name the downloaded `inputFile`.
    if (props.inputFile) localInfile = await download(ctx, props.inputFile);
    sql = await ctx.render<string>(props.sql, localInfile ? { inputFile: localInfile } : {});
  }
  const ssl = { ssl: props.ssl, sslMode: props.sslMode, sslRootCert: props.sslRootCert, sslCert: props.sslCert, sslKey: props.sslKey, sslKeyPassword: props.sslKeyPassword };
  const spec = { vendor, url: props.url, username: props.username, password: props.password, zone, ssl, localInfile };
  return withSession(ctx, spec, async (session, dialect) => {
    ctx.logger.debug(`Starting query: ${sql}`);
    let outputs: QueryOutputs = {};
    try {
      if (props.fetchOne) {
        let first: Row | null = null;
        for await (const batch of session.batches(sql, 1)) {
          first = batch[0] ?? null;
          if (first) break;
        }
        outputs = { row: first, size: first ? 1 : 0 };
      } else if (props.store) {
        const counter = { rows: 0 };
        const stored = await ctx.storage.put(STORE_FILE, Readable.from(jsonLines(session.batches(sql, fetchSize), counter)));
        outputs = { uri: stored.uri, size: counter.rows };
      } else if (props.fetch) {
        const rows: Row[] = [];
        for await (const batch of session.batches(sql, fetchSize)) for (const row of batch) rows.push(row);
        outputs = { rows, size: rows.length };
      } else {
        await session.execute(sql);
      }
    } catch (err) {
      if (isAloftError(err)) throw err;
      throw taskFailed(`${dialect.label} query failed: ${describe(err, [props.password])}`, { property: 'sql' });
    }
    ctx.metrics.counter('fetch.size', outputs.size ?? 0);
    return outputs;
  });
}

/**
 * Rows as JSON Lines text in pieces of about 64 KiB: the same file as storage.writeRows writes, but
 * serialised a batch at a time, so a large table costs no promise per row.
 */
async function* jsonLines(batches: AsyncIterable<Row[]>, counter: { rows: number }): AsyncGenerator<string> {
  let text = '';
  for await (const batch of batches) {
    counter.rows += batch.length;
    for (const row of batch) {
      text += `${JSON.stringify(row)}\n`;
      if (text.length >= 65_536) {
        yield text;
        text = '';
      }
    }
  }
  if (text) yield text;
}

export function zoneOf(id: string | undefined): TimeZone {
  const zone = timeZoneOf(id);
  if (!zone) throw taskFailed(`unknown time zone id: ${id}`, { property: 'timeZoneId' });
  return zone;
}

async function download(ctx: TaskContext, uri: string): Promise<string> {
  const path = join(await ctx.tempDir(), 'inputFile');
  await pipeline(await ctx.storage.get(uri), createWriteStream(path));
  return path;
}
