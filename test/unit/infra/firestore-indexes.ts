// The Firestore queries of lib/adapters/gcp and the composite indexes infra/ declares for them.
// Firestore serves equality-only queries and single-field orders from automatic indexes; anything that
// mixes an equality with an order on another field, or orders two fields in different directions,
// needs a composite index, and fails in production (not on the emulator) without one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evalValue, type Value } from './hcl-expr';
import type { Instance, Model } from './terraform';

export type Order = 'ASCENDING' | 'DESCENDING';
export interface IndexField { field_path: string; order: Order }
export interface DeclaredIndex { address: string; collection: string; scope: string; fields: IndexField[] }

export interface QueryShape {
  /** Where the code runs it. */
  source: string;
  collection: string;
  scope: 'COLLECTION' | 'COLLECTION_GROUP';
  /** Fields compared with == or in. */
  equalities: string[];
  /** Range and order fields, in the order the query sorts by them (__name__ for the document id). */
  orders: IndexField[];
}

const asc = (field_path: string): IndexField => ({ field_path, order: 'ASCENDING' });
const desc = (field_path: string): IndexField => ({ field_path, order: 'DESCENDING' });

const subsets = <T>(items: readonly T[]): T[][] => items.reduce<T[][]>((all, x) => [...all, ...all.map((s) => [...s, x])], [[]]);

/** Every query shape the GCP adapters run. Add a row when an adapter gains a query. */
export const ADAPTER_QUERIES: readonly QueryShape[] = [
  { source: 'firestore-state-store.ts hasPending()', collection: 'inbox', scope: 'COLLECTION', equalities: ['consumed'], orders: [] },
  { source: 'firestore-fold.ts readSnapshot()', collection: 'inbox', scope: 'COLLECTION', equalities: ['consumed'], orders: [asc('appendedAt')] },
  { source: 'firestore-state-store.ts unpublished()', collection: 'outbox', scope: 'COLLECTION', equalities: [], orders: [asc('createdAt'), asc('__name__')] },
  { source: 'firestore-attempt-ledger.ts stale()', collection: 'attempts', scope: 'COLLECTION', equalities: ['state'], orders: [asc('heartbeat')] },
  { source: 'firestore-cloud-control.ts due()', collection: 'wakeups', scope: 'COLLECTION', equalities: [], orders: [asc('dueAtMs')] },
  // The scheduler's sweep: events nobody folded, across every execution's inbox.
  { source: 'firestore-cloud-control.ts sweep (inbox)', collection: 'inbox', scope: 'COLLECTION_GROUP', equalities: ['consumed'], orders: [asc('appendedAt')] },
  { source: 'firestore-cloud-control.ts sweep (leases)', collection: 'leases', scope: 'COLLECTION', equalities: [], orders: [asc('expiresAtMs')] },
  { source: 'firestore-flow-repository.ts list()', collection: 'flows', scope: 'COLLECTION', equalities: [], orders: [asc('namespace')] },
  { source: 'firestore-flow-repository.ts delete()', collection: 'revisions', scope: 'COLLECTION', equalities: [], orders: [asc('revision')] },
  { source: 'firestore-flow-dependency-store.ts callersOf()', collection: 'flowRefs', scope: 'COLLECTION', equalities: ['callees'], orders: [] },
  { source: 'firestore-flow-dependency-store.ts listenersOf() by key', collection: 'flowRefs', scope: 'COLLECTION', equalities: ['listenKeys'], orders: [] },
  { source: 'firestore-flow-dependency-store.ts listenersOf() by prefix', collection: 'flowRefs', scope: 'COLLECTION', equalities: ['prefixListener'], orders: [] },
  { source: 'firestore-flow-dependency-store.ts inNamespace()', collection: 'flowRefs', scope: 'COLLECTION', equalities: ['namespace'], orders: [] },
  { source: 'firestore-flow-dependency-store.ts inNamespace() by prefix', collection: 'flowRefs', scope: 'COLLECTION', equalities: [], orders: [asc('namespace')] },
  { source: 'firestore-log-store.ts list()', collection: 'logs', scope: 'COLLECTION', equalities: [], orders: [asc('appendedAt'), asc('__name__')] },
  // list(): any combination of the optional filters; the startDate range uses the order field.
  ...subsets(['namespace', 'flowId', 'state']).map((equalities): QueryShape => ({
    source: `firestore-state-store.ts list() by ${equalities.length ? equalities.join(', ') : 'nothing'}`,
    collection: 'executions', scope: 'COLLECTION', equalities, orders: [desc('startDate'), asc('__name__')],
  })),
];

/**
 * True when automatic single-field indexes serve the query. They exist in collection scope only:
 * a collection-group query needs a declared index even on one field.
 */
export function servedBySingleFieldIndexes(q: QueryShape): boolean {
  if (q.scope === 'COLLECTION_GROUP') return false;
  const orders = q.orders.filter((o, i) => !(o.field_path === '__name__' && i === q.orders.length - 1 && i > 0 && o.order === q.orders[0].order));
  if (orders.length === 0) return true;
  return q.equalities.length === 0 && orders.length === 1;
}

/** True when the composite index serves the query: its equality fields (in any order), then the orders. */
export function serves(index: DeclaredIndex, q: QueryShape): boolean {
  if (index.collection !== q.collection || index.scope !== q.scope) return false;
  const n = q.equalities.length;
  const head = index.fields.slice(0, n);
  const tail = index.fields.slice(n);
  const sameSet = head.length === n && head.every((f) => q.equalities.includes(f.field_path)) && new Set(head.map((f) => f.field_path)).size === n;
  // The tail must be the query's orders; an index may leave out a trailing __name__ in the last field's direction.
  const implicitName = (fields: IndexField[]) => {
    const last = fields[fields.length - 1];
    return last?.field_path === '__name__' && fields.length > 1 && last.order === fields[fields.length - 2].order ? fields.slice(0, -1) : fields;
  };
  return sameSet && JSON.stringify(implicitName(tail)) === JSON.stringify(implicitName(q.orders));
}

/** google_firestore_index instances with their fields, static or from a `dynamic "fields"` block. */
export function declaredIndexes(model: Model): DeclaredIndex[] {
  return model.of('google_firestore_index').map((i) => ({
    address: i.address,
    collection: String(model.attr(i, 'collection')),
    scope: String(model.attr(i, 'query_scope') ?? 'COLLECTION'),
    fields: [...staticFields(model, i), ...dynamicFields(model, i)],
  }));
}

function staticFields(model: Model, i: Instance): IndexField[] {
  const raw = model.attr(i, 'fields');
  return Array.isArray(raw) ? (raw as unknown as IndexField[]) : [];
}

function dynamicFields(model: Model, i: Instance): IndexField[] {
  const dyn = (i.resource.body.dynamic as Record<string, { for_each: unknown; content: unknown[] }[]> | undefined)?.fields;
  if (!dyn) return [];
  return dyn.flatMap((block) => {
    const items = evalValue(block.for_each, i.scope);
    if (!Array.isArray(items)) return [];
    return items.map((value, key) => {
      const scope = { ...i.scope, names: { ...i.scope.names, fields: { key, value } as Value } };
      return (evalValue(block.content, scope) as unknown as IndexField[])[0];
    });
  });
}

/** Collections whose documents the adapters stamp with `expireAt` for a Firestore TTL policy, by the file writing them. */
export const TTL_COLLECTIONS: Readonly<Record<string, string>> = {
  'firestore-fold.ts': 'inbox',
  'lease.ts': 'leases',
  'firestore-cloud-control.ts': 'attemptStops',
};

/** Adapter files that write an `expireAt` field (not just mention it in a comment). */
export function filesWritingExpireAt(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.ts')).sort().filter((f) => {
    const code = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
    return /\bexpireAt\s*[:,}]/.test(code);
  });
}

export interface FieldUse { field: string; file: string; line: number }

/** The fields the adapters filter or order on, read from `.where('f'` and `.orderBy('f'` in their source. */
export function fieldsUsedUnder(dir: string): FieldUse[] {
  const uses: FieldUse[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const text = readFileSync(join(dir, file), 'utf8');
    for (const m of text.matchAll(/\.(?:where|orderBy)\(\s*(['"`])([\w.]+)\1/g)) {
      uses.push({ field: m[2], file, line: text.slice(0, m.index).split('\n').length });
    }
    // A collection-group query needs its own declared indexes: it counts as a field of its own.
    for (const m of text.matchAll(/\.collectionGroup\(\s*(['"`])?([\w]*)/g)) {
      uses.push({ field: `collectionGroup:${m[2] || '?'}`, file, line: text.slice(0, m.index).split('\n').length });
    }
  }
  return uses;
}
