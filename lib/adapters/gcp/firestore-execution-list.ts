// Listing executions newest first, a page at a time: the query FirestoreStateStore.list runs, and its
// page tokens (the last start date and id, so that pages stay stable as executions are added).
import type { CollectionReference, DocumentSnapshot, Query } from '@google-cloud/firestore';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { ExecutionFilter, ExecutionPage } from '../../ports/state-store';
import { firestoreLib } from './clients';
import { toAloftError } from './firestore-constraints';

/** The page size a filter asks for, within 1..1000. */
export const pageSizeOf = (filter: ExecutionFilter): number => Math.max(1, Math.min(filter.pageSize ?? 100, 1000));

/** Header documents matching the filter (page fields aside). */
export function filterQuery(executions: CollectionReference, filter: ExecutionFilter): Query {
  let q: Query = executions;
  if (filter.namespace !== undefined) q = q.where('namespace', '==', filter.namespace);
  if (filter.flowId !== undefined) q = q.where('flowId', '==', filter.flowId);
  if (filter.states && filter.states.length > 0) q = q.where('state', 'in', filter.states.slice(0, 30));
  if (filter.from !== undefined) q = q.where('startDate', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('startDate', '<=', filter.to);
  return q;
}

/** Header documents (start date only) matching the filter, one more than the page holds. */
export function pageQuery(executions: CollectionReference, filter: ExecutionFilter): Query {
  let q = filterQuery(executions, filter);
  // Newest first, as Kestra lists them; the id breaks ties so that pages are stable.
  q = q.orderBy('startDate', 'desc').orderBy(firestoreLib().FieldPath.documentId(), 'asc');
  if (filter.pageToken) q = q.startAfter(...decodeToken(filter.pageToken));
  return q.select('startDate').limit(pageSizeOf(filter) + 1);
}

/** The token of the page after the one that ends with `last`. */
export const nextPageToken = (last: DocumentSnapshot): string =>
  Buffer.from(JSON.stringify([String(last.get('startDate') ?? ''), last.id])).toString('base64url');

function decodeToken(token: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch { /* reported below */ }
  throw new AloftError(ErrorCode.INPUT_INVALID, 'invalid page token');
}

/** One page of executions, newest first, each read whole through `get`. */
export async function listExecutions(
  executions: CollectionReference, filter: ExecutionFilter, get: (id: string) => Promise<Execution | null>,
): Promise<ExecutionPage> {
  const size = pageSizeOf(filter);
  try {
    const snap = await pageQuery(executions, filter).get();
    const docs = snap.docs.slice(0, size);
    const found = (await Promise.all(docs.map((d) => get(d.id)))).filter((e): e is Execution => e !== null);
    if (snap.docs.length <= size) return { executions: found };
    return { executions: found, nextPageToken: nextPageToken(docs[docs.length - 1]) };
  } catch (err) {
    throw toAloftError(err, 'listing executions');
  }
}

/** The token after the first `n` matches: the query skips them on the server and returns two keys. */
export async function tokenAfterExecutions(executions: CollectionReference, filter: ExecutionFilter, n: number): Promise<string | undefined> {
  if (n < 1) return filter.pageToken;
  try {
    const snap = await pageQuery(executions, filter).offset(n - 1).limit(2).get();
    return snap.docs.length === 2 ? nextPageToken(snap.docs[0]) : undefined;
  } catch (err) {
    throw toAloftError(err, 'listing executions');
  }
}

export async function countExecutions(executions: CollectionReference, filter: ExecutionFilter): Promise<number> {
  try {
    // An aggregation query: Firestore counts on its side and bills one read per 1,000 documents.
    const snap = await filterQuery(executions, filter).count().get();
    return snap.data().count;
  } catch (err) {
    throw toAloftError(err, 'counting executions');
  }
}
