// The group commit on the Firestore emulator: concurrent single-document writes and reads share
// requests, and every caller still gets its own outcome.
import type { Firestore } from '@google-cloud/firestore';
import { FirestoreAttemptLedger } from '../../../lib/adapters/gcp/firestore-attempt-ledger';
import { closeGroupCommit, groupCommit } from '../../../lib/adapters/gcp/firestore-group-commit';
import { isAlreadyExists, isNotFound } from '../../../lib/adapters/gcp/firestore-constraints';
import { firestoreFor, uniquePrefix, uniqueProject, wipeFirestore } from './emulators';

const projectId = uniqueProject('groupcommit');
const opened: Firestore[] = [];
afterAll(async () => {
  if (opened.length === 0) return;
  await wipeFirestore(projectId);
  await Promise.all(opened.map(async (db) => {
    await closeGroupCommit(db);
    await db.terminate();
  }));
});

/** A client of its own per test, so that its group commit's counts are the test's alone. */
function client(): Firestore {
  const db = firestoreFor(projectId);
  opened.push(db);
  return db;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('FirestoreGroupCommit', () => {
  it('lets exactly one of many concurrent creates of one document succeed and refuses the others with ALREADY_EXISTS', async () => {
    const db = client();
    const ref = db.collection(`${uniquePrefix()}docs`).doc('one');
    const outcomes = await Promise.allSettled(range(12).map((i) => groupCommit(db).create(ref, { writer: i })));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const err of lost) expect(isAlreadyExists(err)).toBe(true);
    const writer = (await ref.get()).get('writer') as number;
    expect(outcomes[writer].status).toBe('fulfilled');
  });

  it('claims an attempt for one of many concurrent workers through the attempt ledger', async () => {
    const ledger = new FirestoreAttemptLedger({ firestore: client(), collectionPrefix: uniquePrefix() });
    const key = { executionId: 'e1', taskRunId: 't1', attempt: 0 };
    const claims = await Promise.all(range(10).map((i) => ledger.claim(key, `w${i}`, new Date('2024-03-14T10:00:00.000Z'))));
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('sends the creates, sets, updates and deletes of many callers in fewer requests than writes', async () => {
    const db = client();
    const col = db.collection(`${uniquePrefix()}docs`);
    await Promise.all(range(30).map((i) => col.doc(`old${i}`).set({ i })));
    const g = groupCommit(db);
    await Promise.all([
      ...range(30).map((i) => g.create(col.doc(`new${i}`), { i })),
      ...range(30).map((i) => g.set(col.doc(`set${i}`), { i })),
      ...range(10).map((i) => g.set(col.doc(`old${i}`), { merged: true }, { merge: true })),
      ...range(10).map((i) => g.update(col.doc(`old${10 + i}`), { updated: true })),
      ...range(10).map((i) => g.delete(col.doc(`old${20 + i}`))),
    ]);
    const stats = g.stats();
    expect(stats.writes).toBe(90);
    expect(stats.writeRpcs).toBeLessThan(stats.writes / 4);
    const docs = new Map((await col.get()).docs.map((d) => [d.id, d.data()]));
    expect(docs.size).toBe(80);
    expect(docs.get('new7')).toEqual({ i: 7 });
    expect(docs.get('set29')).toEqual({ i: 29 });
    expect(docs.get('old3')).toEqual({ i: 3, merged: true });
    expect(docs.get('old15')).toEqual({ i: 15, updated: true });
    expect(docs.has('old25')).toBe(false);
  });

  it('gives every concurrent reader its own document from one request, and an empty snapshot for a missing one', async () => {
    const db = client();
    const col = db.collection(`${uniquePrefix()}docs`);
    await Promise.all(range(40).map((i) => col.doc(`d${i}`).set({ i, text: `doc ${i}` })));
    const g = groupCommit(db);
    const snaps = await Promise.all([...range(40).map((i) => g.get(col.doc(`d${i}`))), g.get(col.doc('missing'))]);
    snaps.slice(0, 40).forEach((s, i) => expect(s.data()).toEqual({ i, text: `doc ${i}` }));
    expect(snaps[40].exists).toBe(false);
    expect(g.stats()).toMatchObject({ reads: 41, readRpcs: 1 });
  });

  it('reads only the fields of a field mask, apart from reads of whole documents', async () => {
    const db = client();
    const ref = db.collection(`${uniquePrefix()}docs`).doc('d');
    await ref.set({ version: 3, data: 'large' });
    const g = groupCommit(db);
    const [masked, whole] = await Promise.all([g.get(ref, { fieldMask: ['version'] }), g.get(ref)]);
    expect(masked.data()).toEqual({ version: 3 });
    expect(whole.data()).toEqual({ version: 3, data: 'large' });
  });

  it('fails only the write that failed: a missing document to update and data the client refuses, late or at once, leave the others written', async () => {
    const db = client();
    const col = db.collection(`${uniquePrefix()}docs`);
    const g = groupCommit(db);
    const [missing, refused, empty, ...others] = await Promise.allSettled([
      g.update(col.doc('absent'), { x: 1 }),
      g.set(col.doc('bad'), { fn: () => 1 }),
      g.update(col.doc('ok0'), {}),
      ...range(10).map((i) => g.create(col.doc(`ok${i}`), { i })),
    ]);
    expect(missing.status === 'rejected' && isNotFound(missing.reason)).toBe(true);
    expect(refused.status).toBe('rejected');
    expect(empty.status).toBe('rejected');
    expect(others.every((o) => o.status === 'fulfilled')).toBe(true);
    expect((await col.get()).docs.map((d) => d.id).sort()).toEqual(range(10).map((i) => `ok${i}`).sort());
  });

  it('applies two writes to one document in one window, in requests of their own', async () => {
    const db = client();
    const ref = db.collection(`${uniquePrefix()}docs`).doc('twice');
    const g = groupCommit(db);
    await Promise.all([g.set(ref, { a: 1 }, { merge: true }), g.set(ref, { b: 2 }, { merge: true })]);
    expect((await ref.get()).data()).toEqual({ a: 1, b: 2 });
    expect(g.stats()).toMatchObject({ writes: 2, writeRpcs: 2 });
  });

  it('sends queued writes when closed, so that the client can be terminated right after', async () => {
    const projectOfItsOwn = uniqueProject('groupcommit-close');
    const db = firestoreFor(projectOfItsOwn);
    const col = db.collection('docs');
    const writes = range(5).map((i) => groupCommit(db).create(col.doc(`d${i}`), { i }));
    await closeGroupCommit(db);
    await db.terminate();
    await Promise.all(writes);
    const again = firestoreFor(projectOfItsOwn);
    opened.push(again);
    const written = await again.getAll(...range(5).map((i) => again.collection('docs').doc(`d${i}`)));
    expect(written.map((s) => s.get('i') as number)).toEqual(range(5));
    await wipeFirestore(projectOfItsOwn);
  });

  it('refuses reads and writes after close with a retryable error of its own, never calling the terminated client', async () => {
    const db = firestoreFor(uniqueProject('groupcommit-closed'));
    await closeGroupCommit(db);
    await db.terminate();
    const doc = db.collection('docs').doc('late');
    const refused = await Promise.allSettled([groupCommit(db).get(doc), groupCommit(db).create(doc, { late: true })]);
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as { code?: unknown }).code : 'fulfilled'))).toEqual([14, 14]);
  });
});
