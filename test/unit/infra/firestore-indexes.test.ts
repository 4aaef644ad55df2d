import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  ADAPTER_QUERIES, declaredIndexes, fieldsUsedUnder, filesWritingExpireAt, servedBySingleFieldIndexes, serves, TTL_COLLECTIONS,
  type DeclaredIndex, type QueryShape,
} from './firestore-indexes';
import { loadFiles, Model, readTfDir } from './terraform';

const ROOT = join(__dirname, '../../..');
const ADAPTERS = join(ROOT, 'lib/adapters/gcp');

async function infraIndexes(): Promise<DeclaredIndex[]> {
  return declaredIndexes(new Model(await loadFiles(readTfDir(join(ROOT, 'infra'))), { project_id: 'p' }));
}

const query = (equalities: string[], orders: QueryShape['orders']): QueryShape => ({ source: 't', collection: 'c', scope: 'COLLECTION', equalities, orders });
const index = (fields: DeclaredIndex['fields']): DeclaredIndex => ({ address: 'i', collection: 'c', scope: 'COLLECTION', fields });

describe('Firestore indexes', () => {
  it('serve every adapter query that automatic single-field indexes cannot', async () => {
    const indexes = await infraIndexes();
    const unserved = ADAPTER_QUERIES.filter((q) => !servedBySingleFieldIndexes(q) && !indexes.some((i) => serves(i, q)))
      .map((q) => `${q.source}: ${q.collection} where ${q.equalities.join(', ') || '-'} order by ${q.orders.map((o) => `${o.field_path} ${o.order}`).join(', ')}`);
    expect(unserved).toEqual([]);
  });

  it('are each used by some adapter query', async () => {
    const unused = (await infraIndexes()).filter((i) => !ADAPTER_QUERIES.some((q) => serves(i, q))).map((i) => i.address);
    expect(unused).toEqual([]);
  });

  it('cover every field the GCP adapters filter or order on', () => {
    if (!existsSync(ADAPTERS)) throw new Error('lib/adapters/gcp is missing: the Firestore adapter defines the queries these indexes serve');
    const known = new Set(ADAPTER_QUERIES.flatMap((q) => [
      ...q.equalities, ...q.orders.map((o) => o.field_path), ...(q.scope === 'COLLECTION_GROUP' ? [`collectionGroup:${q.collection}`] : []),
    ]));
    const undeclared = fieldsUsedUnder(ADAPTERS).filter((u) => !known.has(u.field))
      .map((u) => `${u.file}:${u.line} queries ${u.field}: add its query shape to ADAPTER_QUERIES and, if it needs one, an index to infra/firestore.tf`);
    expect(undeclared).toEqual([]);
  });

  it('have a TTL policy on expireAt for every collection the adapters stamp with it', async () => {
    const writers = filesWritingExpireAt(ADAPTERS);
    expect(writers.filter((f) => !(f in TTL_COLLECTIONS)).map((f) => `${f} writes expireAt: add its collection to TTL_COLLECTIONS and infra/firestore.tf`)).toEqual([]);
    const model = new Model(await loadFiles(readTfDir(join(ROOT, 'infra'))), { project_id: 'p' });
    const ttl = model.of('google_firestore_field').filter((f) => model.attr(f, 'field') === 'expireAt' && model.attr(f, 'ttl_config') !== undefined)
      .map((f) => model.attr(f, 'collection'));
    expect([...ttl].sort()).toEqual(Object.values(TTL_COLLECTIONS).sort());
  });

  it('need a declared index for any collection-group query', () => {
    expect(servedBySingleFieldIndexes({ ...query([], [{ field_path: 'appendedAt', order: 'ASCENDING' }]), scope: 'COLLECTION_GROUP' })).toBe(false);
  });

  it('need a composite index for an equality with an order on another field', () => {
    expect(servedBySingleFieldIndexes(query(['consumed'], [{ field_path: 'appendedAt', order: 'ASCENDING' }]))).toBe(false);
    expect(servedBySingleFieldIndexes(query(['consumed', 'key'], []))).toBe(true);
  });

  it('need a composite index when the id tie-break runs against the main order', () => {
    expect(servedBySingleFieldIndexes(query([], [{ field_path: 'startDate', order: 'DESCENDING' }, { field_path: '__name__', order: 'ASCENDING' }]))).toBe(false);
    expect(servedBySingleFieldIndexes(query([], [{ field_path: 'createdAt', order: 'ASCENDING' }, { field_path: '__name__', order: 'ASCENDING' }]))).toBe(true);
  });

  it('do not count an index whose order direction differs from the query', () => {
    const q = query(['namespace'], [{ field_path: 'startDate', order: 'DESCENDING' }, { field_path: '__name__', order: 'ASCENDING' }]);
    expect(serves(index([{ field_path: 'namespace', order: 'ASCENDING' }, { field_path: 'startDate', order: 'ASCENDING' }, { field_path: '__name__', order: 'ASCENDING' }]), q)).toBe(false);
    expect(serves(index([{ field_path: 'namespace', order: 'ASCENDING' }, { field_path: 'startDate', order: 'DESCENDING' }, { field_path: '__name__', order: 'ASCENDING' }]), q)).toBe(true);
  });

  it('accept equality fields in any order', () => {
    const q = query(['state', 'namespace'], [{ field_path: 'startDate', order: 'DESCENDING' }]);
    expect(serves(index([{ field_path: 'namespace', order: 'ASCENDING' }, { field_path: 'state', order: 'ASCENDING' }, { field_path: 'startDate', order: 'DESCENDING' }]), q)).toBe(true);
  });
});
