// The `labels=key:value` filter of the flows and executions searches, as Kestra's: every label given
// must be on the flow or execution with that value. The state stores page executions by cursor and
// know nothing of labels, so the executions search reads the store in chunks and keeps the matches;
// its page token names the store's cursor of the chunk it stopped in and how many of that chunk it
// had used, so the next page starts exactly after the last execution shown.
import { z } from 'zod';
import type { Execution } from '../model/execution';
import { AloftError, ErrorCode } from '../model/errors';
import type { ExecutionFilter, ExecutionPage } from '../ports/state-store';

/** One label as written in a query: `key:value` (the value may hold more colons). */
export const LabelQuery = z.string().regex(/^[^:]+:.*$/, 'labels are written key:value');

/** `key:value` strings as a map; a later value for the same key wins. */
export function labelsOf(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) out[v.slice(0, v.indexOf(':'))] = v.slice(v.indexOf(':') + 1);
  return out;
}

export function hasLabels(labels: Record<string, string> | undefined, wanted: Record<string, string>): boolean {
  return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

/** Executions read from the store per chunk: a page of matches costs ceil(scanned / CHUNK) store reads. */
export const LABEL_SCAN_CHUNK = 200;

const Cursor = z.object({ t: z.string().optional(), s: z.number().int().nonnegative() }).strict();
type Cursor = z.infer<typeof Cursor>;
const PREFIX = 'l.';

const encode = (c: Cursor): string => PREFIX + Buffer.from(JSON.stringify(c)).toString('base64url');
function decode(token: string): Cursor {
  const bad = () => new AloftError(ErrorCode.MESSAGE_INVALID, 'query pageToken: not a token of a search with labels (pass the nextPageToken of the previous page with the same filters)');
  if (!token.startsWith(PREFIX)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const r = Cursor.safeParse(parsed);
  if (!r.success) throw bad();
  return r.data;
}

type List = (filter: ExecutionFilter) => Promise<ExecutionPage>;

/**
 * One page of executions that carry `labels`, after skipping `skip` matches (a page by number), from
 * `pageToken` (a token this function returned) or from the newest.
 */
export async function labelledPage(list: List, filter: ExecutionFilter, labels: Record<string, string>, page: { size: number; skip: number; pageToken?: string }): Promise<ExecutionPage> {
  let at: Cursor = page.pageToken ? decode(page.pageToken) : { s: 0 };
  let skip = page.skip;
  const found: Execution[] = [];
  for (;;) {
    const chunk = await list({ ...filter, pageSize: LABEL_SCAN_CHUNK, ...(at.t ? { pageToken: at.t } : {}) });
    for (let i = at.s; i < chunk.executions.length; i++) {
      if (!hasLabels(chunk.executions[i].labels, labels)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      found.push(chunk.executions[i]);
      if (found.length === page.size) {
        const rest = i + 1 < chunk.executions.length ? { ...at, s: i + 1 } : chunk.nextPageToken ? { t: chunk.nextPageToken, s: 0 } : undefined;
        return { executions: found, ...(rest ? { nextPageToken: encode(rest) } : {}) };
      }
    }
    if (!chunk.nextPageToken) return { executions: found };
    at = { t: chunk.nextPageToken, s: 0 };
  }
}
