// io.kestra.plugin.gcp.firestore.* on the Firestore emulator (scripts/services/firestore-emulator.sh).
import type { Firestore } from '@google-cloud/firestore';
import { firestoreTasks } from '../../../lib/plugins/gcp/firestore';
import type { TaskContext } from '../../../lib/plugins/types';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { emulatorHost, firestoreFor, uniquePrefix, uniqueProject } from '../adapters-gcp/emulators';

jest.setTimeout(30_000);

const projectId = uniqueProject('fstasks');
let db: Firestore;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;
let collection: string;

beforeAll(() => { db = firestoreFor(projectId); });
afterAll(() => db.terminate());

beforeEach(async () => {
  world = await fakeTaskContext({ taskId: 'fs', env: { FIRESTORE_EMULATOR_HOST: emulatorHost('FIRESTORE_EMULATOR_HOST') } });
  collection = uniquePrefix('persons');
});
afterEach(() => world.cleanup());

const def = (name: string) => firestoreTasks.find((t) => t.type === `io.kestra.plugin.gcp.firestore.${name}`)!;

async function run(name: string, props: Record<string, unknown>, ctx: TaskContext = world.ctx): Promise<any> {
  return def(name).run(ctx, def(name).properties.parse({ projectId, collection, ...props }));
}

async function seed(): Promise<void> {
  const people = [['1', 'John', 'Doe', 42], ['2', 'Jane', 'Doe', 37], ['3', 'Max', 'Roe', 25]] as const;
  for (const [id, firstname, lastname, age] of people) await run('Set', { childPath: id, document: { firstname, lastname, age } });
}

describe('Firestore tasks on the Firestore emulator', () => {
  it('Set writes a map or JSON text (an id is made when no childPath), Get reads it back, Delete removes it', async () => {
    const set = await run('Set', { childPath: 'john', document: { firstname: 'John', tags: ['a'], address: { city: 'Paris' } } });
    expect(set).toEqual({ updatedTime: expect.stringMatching(/^\d{4}-.+Z$/), childPath: 'john' });
    expect(await run('Get', { childPath: 'john' })).toEqual({ row: { firstname: 'John', tags: ['a'], address: { city: 'Paris' } } });
    const made = await run('Set', { document: '{"firstname": "Jane", "lastname": "Doe"}' });
    expect(made.childPath).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await db.collection(collection).doc(made.childPath).get()).data()).toEqual({ firstname: 'Jane', lastname: 'Doe' });
    expect(await run('Delete', { childPath: 'john' })).toEqual({ updatedTime: expect.any(String) });
    expect(await run('Get', { childPath: 'john' })).toEqual({});
  });

  it('values come out as JSON: timestamps as ISO instants, references as paths', async () => {
    const { Timestamp } = jest.requireActual<typeof import('@google-cloud/firestore')>('@google-cloud/firestore');
    await db.collection(collection).doc('t').set({ at: Timestamp.fromDate(new Date('2024-03-01T10:00:00.123Z')), ref: db.doc(`${collection}/x`) });
    expect(await run('Get', { childPath: 't' })).toEqual({ row: { at: '2024-03-01T10:00:00.123Z', ref: `${collection}/x` } });
  });

  it('Query filters, orders, pages and keeps the rows by fetchType (STORE by default)', async () => {
    await seed();
    const stored = await run('Query', { filters: [{ field: 'lastname', value: 'Doe' }], orderBy: 'age' });
    expect(stored.size).toBe(2);
    const lines: Record<string, unknown>[] = [];
    for await (const r of world.ctx.storage.readRows(stored.uri)) lines.push(r);
    expect(lines.map((r) => r.firstname)).toEqual(['Jane', 'John']);
    const fetched = await run('Query', { fetchType: 'FETCH', filters: [{ field: 'age', value: 30, operator: 'GREATER_THAN' }], orderBy: 'age', orderDirection: 'DESCENDING' });
    expect(fetched).toEqual({ rows: [{ firstname: 'John', lastname: 'Doe', age: 42 }, { firstname: 'Jane', lastname: 'Doe', age: 37 }], size: 2 });
    expect(await run('Query', { fetchType: 'FETCH_ONE', orderBy: 'age', offset: 1 })).toEqual({ row: { firstname: 'Jane', lastname: 'Doe', age: 37 }, size: 1 });
    expect(await run('Query', { fetchType: 'FETCH', orderBy: 'age', limit: 1 })).toMatchObject({ size: 1, rows: [{ firstname: 'Max' }] });
    expect(await run('Query', { fetchType: 'FETCH_ONE', filters: [{ field: 'lastname', value: 'Nobody' }] })).toEqual({ size: 0 });
    expect(await run('Query', { fetchType: 'NONE' })).toEqual({ size: 0 });
  });

  it('a document that is not a JSON object, or no project, fails naming the property', async () => {
    await expect(run('Set', { childPath: 'x', document: '{not json' })).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { task: 'fs', property: 'document' }, message: 'document is text that does not parse as a JSON object',
    });
    const noProject = await fakeTaskContext({ taskId: 'fs', env: { FIRESTORE_EMULATOR_HOST: emulatorHost('FIRESTORE_EMULATOR_HOST') } });
    await expect(def('Get').run(noProject.ctx, def('Get').properties.parse({ collection, childPath: 'x' }))).rejects.toMatchObject({ location: { property: 'projectId' } });
    await noProject.cleanup();
  });

  it('a malformed service-account key fails naming serviceAccount, without quoting the key', async () => {
    const key = JSON.stringify({ type: 'service_account', client_email: 'x@p.iam.gserviceaccount.com', private_key: 'SECRET-NOT-PEM-1234' });
    const err = await run('Get', { childPath: 'x', serviceAccount: key }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { task: 'fs', property: 'serviceAccount' }, message: expect.stringContaining('private_key is not a PEM private key') });
    expect(JSON.stringify(err)).not.toContain('SECRET-NOT-PEM');
    expect(JSON.stringify(await world.logLines())).not.toContain('SECRET-NOT-PEM');
  });
});
