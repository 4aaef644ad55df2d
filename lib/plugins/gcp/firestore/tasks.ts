// Get, Set, Delete and Query on one Firestore collection (@google-cloud/firestore, loaded on first
// use), pointed at FIRESTORE_EMULATOR_HOST when the runtime's environment sets it. Document values
// come out as JSON: timestamps as ISO instants, references as their path, bytes as base64.
import type { DocumentData, Firestore, Query as FsQuery, WhereFilterOp } from '@google-cloud/firestore';
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { parseServiceAccount } from '../credentials';
import type { DeleteProperties, GetProperties, QueryOutputs, QueryProperties, SetProperties, WriteOutputs } from './properties';

interface Connection { projectId?: string; serviceAccount?: string; scopes?: string[] }

const where = (ctx: TaskContext, property?: string): ErrorLocation => ({
  flow: `${ctx.execution.namespace}.${ctx.execution.flowId}`, task: ctx.taskRun.taskId, ...(property ? { property } : {}),
});

function connect(ctx: TaskContext, p: Connection): Firestore {
  const key = p.serviceAccount !== undefined ? parseServiceAccount(p.serviceAccount, where(ctx)) : undefined;
  const projectId = p.projectId ?? key?.project_id ?? ctx.env.GOOGLE_CLOUD_PROJECT ?? ctx.env.GCLOUD_PROJECT;
  if (!projectId) throw new AloftError(ErrorCode.TASK_FAILED, 'projectId is required: set it, or give a serviceAccount key, or GOOGLE_CLOUD_PROJECT', where(ctx, 'projectId'));
  const emulator = ctx.env.FIRESTORE_EMULATOR_HOST;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use: `aloft run` of other flows never loads it
  const lib: typeof import('@google-cloud/firestore') = require('@google-cloud/firestore');
  return new lib.Firestore({
    projectId,
    ...(emulator ? { host: emulator.replace(/^https?:\/\//, ''), ssl: false } : {}),
    ...(key ? { credentials: { client_email: key.client_email, private_key: key.private_key } } : {}),
    ...(p.scopes ? { scopes: p.scopes } : {}),
  });
}

/** A Firestore value as JSON. */
export function toJson(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toJson);
  const v = value as Record<string, any>;
  if (typeof v.toDate === 'function' && typeof v.seconds === 'number') return (v.toDate() as Date).toISOString();
  if (typeof v.path === 'string' && typeof v.firestore === 'object') return v.path;
  if (typeof v.latitude === 'number' && typeof v.longitude === 'number') return { latitude: v.latitude, longitude: v.longitude };
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value as Uint8Array).toString('base64');
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
}

const documentOf = (data: DocumentData | undefined) => (data === undefined ? undefined : (toJson(data) as Record<string, unknown>));

/** Google's message for a failed call, with the task and property. */
function fsError(err: unknown, what: string, location: ErrorLocation): AloftError {
  if (err instanceof AloftError) return err;
  const e = err as { details?: unknown; message?: unknown };
  return new AloftError(ErrorCode.TASK_FAILED, `${what} failed: ${String(e.details || e.message || err)}`, location);
}

async function using<T>(ctx: TaskContext, p: Connection, f: (db: Firestore) => Promise<T>): Promise<T> {
  const db = connect(ctx, p);
  try {
    return await f(db);
  } finally {
    await db.terminate().catch(() => undefined);
  }
}

export function get(ctx: TaskContext, p: GetProperties): Promise<{ row?: Record<string, unknown> }> {
  return using(ctx, p, async (db) => {
    try {
      const snap = await db.collection(p.collection).doc(p.childPath).get();
      const row = documentOf(snap.data());
      return row ? { row } : {};
    } catch (err) {
      throw fsError(err, `Firestore Get of '${p.collection}/${p.childPath}'`, where(ctx, 'childPath'));
    }
  });
}

function fields(ctx: TaskContext, document: SetProperties['document']): Record<string, unknown> {
  if (document === undefined) return {};
  if (typeof document !== 'string') return document;
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw new AloftError(ErrorCode.TASK_FAILED, 'document is text that does not parse as a JSON object', where(ctx, 'document'));
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AloftError(ErrorCode.TASK_FAILED, 'document is JSON but not an object', where(ctx, 'document'));
  return parsed as Record<string, unknown>;
}

export function set(ctx: TaskContext, p: SetProperties): Promise<WriteOutputs> {
  const data = fields(ctx, p.document);
  return using(ctx, p, async (db) => {
    const collection = db.collection(p.collection);
    const ref = p.childPath === undefined ? collection.doc() : collection.doc(p.childPath);
    try {
      const result = await ref.set(data);
      return { updatedTime: result.writeTime.toDate().toISOString(), childPath: ref.id };
    } catch (err) {
      throw fsError(err, `Firestore Set of '${ref.path}'`, where(ctx, 'document'));
    }
  });
}

export function remove(ctx: TaskContext, p: DeleteProperties): Promise<WriteOutputs> {
  return using(ctx, p, async (db) => {
    try {
      const result = await db.collection(p.collection).doc(p.childPath).delete();
      return { updatedTime: result.writeTime.toDate().toISOString() };
    } catch (err) {
      throw fsError(err, `Firestore Delete of '${p.collection}/${p.childPath}'`, where(ctx, 'childPath'));
    }
  });
}

const OPERATORS: Record<NonNullable<NonNullable<QueryProperties['filters']>[number]['operator']>, WhereFilterOp> = {
  EQUAL_TO: '==', NOT_EQUAL_TO: '!=', LESS_THAN: '<', LESS_THAN_OR_EQUAL_TO: '<=', GREATER_THAN: '>', GREATER_THAN_OR_EQUAL_TO: '>=',
};

export function query(ctx: TaskContext, p: QueryProperties): Promise<QueryOutputs> {
  return using(ctx, p, async (db) => {
    let q: FsQuery = db.collection(p.collection);
    for (const f of p.filters ?? []) q = q.where(f.field, OPERATORS[f.operator ?? 'EQUAL_TO'], f.value);
    if (p.orderBy) q = q.orderBy(p.orderBy, p.orderDirection === 'DESCENDING' ? 'desc' : 'asc');
    if (p.offset !== undefined) q = q.offset(p.offset);
    const fetchType = p.fetchType ?? 'STORE';
    if (p.limit !== undefined) q = q.limit(p.limit);
    else if (fetchType === 'FETCH_ONE') q = q.limit(1);
    const out: QueryOutputs = { size: 0 };
    try {
      if (fetchType === 'STORE') {
        // Streamed: documents go to the file as they come, whatever the result's size.
        const docs = q.stream() as AsyncIterable<{ data(): DocumentData }>;
        const stored = await ctx.storage.writeRows('query.jsonl', (async function* () { for await (const d of docs) yield documentOf(d.data()); })());
        Object.assign(out, { uri: stored.uri, size: stored.rows });
      } else if (fetchType !== 'NONE') {
        const rows = (await q.get()).docs.map((d) => documentOf(d.data())!);
        if (fetchType === 'FETCH') Object.assign(out, { rows, size: rows.length });
        else Object.assign(out, rows.length ? { row: rows[0], size: 1 } : { size: 0 });
      }
    } catch (err) {
      throw fsError(err, `Firestore Query of '${p.collection}'`, where(ctx, 'filters'));
    }
    ctx.metrics.counter('records', out.size);
    return out;
  });
}
