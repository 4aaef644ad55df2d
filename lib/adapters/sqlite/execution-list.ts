// list() on the executions table: the filter in indexed SQL, newest first by start date with the id
// as tie-break (as the memory store orders them), paged by a keyset cursor (the last row's start
// date and id), so a deep page costs what the first one does.
import type Database from 'better-sqlite3';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { ExecutionFilter, ExecutionHeader, ExecutionPage } from '../../ports/state-store';

interface Row {
  id: string;
  start_date: string;
  header: string;
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/** The filter's terms as SQL (page fields aside). */
function filterTerms(filter: ExecutionFilter): { where: string[]; params: Array<string | number> } {
  const where: string[] = [];
  const params: Array<string | number> = [];
  if (filter.namespace !== undefined) { where.push('namespace = ?'); params.push(filter.namespace); }
  if (filter.flowId !== undefined) { where.push('flow_id = ?'); params.push(filter.flowId); }
  if (filter.states) { where.push(`state IN (${filter.states.map(() => '?').join(', ')})`); params.push(...filter.states); }
  if (filter.from !== undefined) { where.push('start_date >= ?'); params.push(filter.from); }
  if (filter.to !== undefined) { where.push('start_date <= ?'); params.push(filter.to); }
  return { where, params };
}

/** How many executions match the filter; the same indexed terms as a page's query. */
export function countExecutions(db: Database.Database, filter: ExecutionFilter): number {
  const { where, params } = filterTerms(filter);
  const sql = `SELECT COUNT(*) FROM executions${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  return prepared(db, sql).pluck().get(...params) as number;
}

/** The query of one page: the filter as SQL, newest first, one row more than the page. */
export function listQuery(filter: ExecutionFilter): { sql: string; params: Array<string | number> } {
  const { where, params } = filterTerms(filter);
  if (filter.pageToken) {
    const [start, id] = decodeToken(filter.pageToken);
    // The first term bounds the index range; the second skips what the previous pages returned.
    where.push('start_date <= ? AND (start_date < ? OR id > ?)');
    params.push(start, start, id);
  }
  params.push((filter.pageSize ?? 100) + 1);
  const sql = `SELECT id, start_date, header FROM executions${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY start_date DESC, id LIMIT ?`;
  return { sql, params };
}

/**
 * The token after the first `n` matches: their keys are read from the index (start date, id), and
 * nothing of the executions; undefined when no match follows them.
 */
export function tokenAfterExecutions(db: Database.Database, filter: ExecutionFilter, n: number): string | undefined {
  if (n < 1) return filter.pageToken;
  const { sql, params } = listQuery({ ...filter, pageSize: 1 });
  const keyed = sql.replace('SELECT id, start_date, header FROM', 'SELECT id, start_date FROM').replace(/LIMIT \?$/, 'LIMIT 2 OFFSET ?');
  params[params.length - 1] = n - 1;
  const rows = prepared(db, keyed).all(...params) as Array<Pick<Row, 'id' | 'start_date'>>;
  return rows.length === 2 ? encodeToken(rows[0].start_date, rows[0].id) : undefined;
}

/** `load` turns a row into the full execution (from memory when the store holds it). */
export function listExecutions(
  db: Database.Database,
  filter: ExecutionFilter,
  load: (id: string, header: ExecutionHeader) => Execution,
): ExecutionPage {
  const { sql, params } = listQuery(filter);
  const size = filter.pageSize ?? 100;
  // One row more than the page says whether another page follows.
  const rows = prepared(db, sql).all(...params) as Row[];
  const page = rows.slice(0, size);
  const executions = page.map((r) => load(r.id, JSON.parse(r.header) as ExecutionHeader));
  if (rows.length <= size) return { executions };
  const last = page[page.length - 1];
  return { executions, nextPageToken: encodeToken(last.start_date, last.id) };
}

const encodeToken = (start: string, id: string): string => Buffer.from(JSON.stringify(['k', start, id])).toString('base64url');

function decodeToken(token: string): [string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 3 && parsed[0] === 'k' && typeof parsed[1] === 'string' && typeof parsed[2] === 'string') {
    return [parsed[1], parsed[2]];
  }
  throw new AloftError(ErrorCode.INPUT_INVALID, 'invalid page token');
}
