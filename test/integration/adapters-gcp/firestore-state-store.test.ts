// FirestoreStateStore on the emulator, beyond the port contract: the document layout that keeps it
// inside Firestore's limits (one document per task run, packs past 500 writes, one outbox document per
// commit, tombstones for consumed events) and zod on every read.
import { FirestoreStateStore } from '../../../lib/adapters/gcp/firestore-state-store';
import type { Effect } from '../../../lib/model/effects';
import type { Execution, TaskRun } from '../../../lib/model/execution';
import { newStateRecord, withState } from '../../../lib/model/states';
import { firestoreForThisFile, uniquePrefix } from './emulators';

const firestore = firestoreForThisFile('statedocs');
const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

const run = (executionId: string, id: string): TaskRun => ({
  id, executionId, namespace: 'io.aloft.tests', flowId: 'f', taskId: `t-${id}`, attempts: [], state: newStateRecord('CREATED', T0),
});
const execution = (id: string): Execution => ({
  id, namespace: 'io.aloft.tests', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', T0), inputs: {}, taskRunList: [], version: 0,
});
const ended = (id: string): Effect => ({ type: 'ExecutionEnded', executionId: id, namespace: 'io.aloft.tests', flowId: 'f', flowRevision: 1, state: 'SUCCESS' });

function setup() {
  const prefix = uniquePrefix();
  const store = new FirestoreStateStore({ firestore: firestore(), collectionPrefix: prefix });
  const col = (path: string) => firestore().collection(`${prefix}${path}`);
  return { store, col, prefix };
}

async function started(store: FirestoreStateStore, id: string): Promise<void> {
  await store.create(execution(id), { key: 'created', event: { type: 'ExecutionCreated' }, at: T0.toISOString() });
}

const kill = (key: string) => ({ key, event: { type: 'Kill' as const }, at: T0.toISOString() });

describe('FirestoreStateStore documents', () => {
  it('writes one document per task run and rewrites only those that changed', async () => {
    const { store, col } = setup();
    await started(store, 'e1');
    await store.transact('e1', (e) => ({ execution: { ...e, taskRunList: ['a', 'b', 'c'].map((r) => run('e1', r)) }, effects: [] }), at(1));
    const runs = () => col('executions').doc('e1').collection('taskRuns').get();
    const first = await runs();
    expect(first.docs.map((d) => d.id).sort()).toEqual(['a', 'b', 'c']);
    await store.append('e1', kill('k1'));
    await store.transact('e1', (e) => ({
      execution: { ...e, taskRunList: e.taskRunList.map((r) => (r.id === 'b' ? { ...r, state: withState(r.state, 'RUNNING', at(2)) } : { ...r })) }, effects: [],
    }), at(2));
    const versions = Object.fromEntries((await runs()).docs.map((d) => [d.id, d.get('v')]));
    expect(versions).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('keeps taskRunList in the order the fold returned, inserted task runs included', async () => {
    const { store, prefix } = setup();
    await started(store, 'e1');
    await store.transact('e1', (e) => ({ execution: { ...e, taskRunList: [run('e1', 'a'), run('e1', 'z')] }, effects: [] }), at(1));
    await store.append('e1', kill('k1'));
    await store.transact('e1', (e) => ({ execution: { ...e, taskRunList: [e.taskRunList[0], run('e1', 'm1'), run('e1', 'm2'), e.taskRunList[1], run('e1', 'end')] }, effects: [] }), at(2));
    // A second store has no cache: the order comes from the documents.
    const fresh = new FirestoreStateStore({ firestore: firestore(), collectionPrefix: prefix });
    expect((await fresh.get('e1'))!.taskRunList.map((r) => r.id)).toEqual(['a', 'm1', 'm2', 'z', 'end']);
  });

  it('reads an execution header with one document read when this store has not seen it', async () => {
    const { store, prefix } = setup();
    await started(store, 'e1');
    await store.transact('e1', (e) => ({ execution: { ...e, labels: { k: 'v' }, taskRunList: [run('e1', 'a')] }, effects: [] }), at(1));
    const fresh = new FirestoreStateStore({ firestore: firestore(), collectionPrefix: prefix });
    const header = await fresh.getHeader('e1');
    expect(header).toMatchObject({ id: 'e1', flowId: 'f', flowRevision: 1, labels: { k: 'v' }, version: 1 });
    expect(header).not.toHaveProperty('taskRunList');
    expect(await fresh.getHeader('missing')).toBeNull();
  });

  it('marks consumed events as tombstones that expire, so their keys stay refused', async () => {
    const { store, col } = setup();
    await started(store, 'e1');
    await store.transact('e1', (e) => ({ execution: e, effects: [] }), at(1));
    const doc = await col('executions').doc('e1').collection('inbox').doc('created').get();
    expect(doc.get('consumed')).toBe(true);
    expect(doc.get('consumedVersion')).toBe(1);
    expect(doc.get('expireAt').toMillis()).toBe(at(1).getTime() + 7 * 24 * 3600 * 1000);
    expect(await store.append('e1', { key: 'created', event: { type: 'ExecutionCreated' }, at: T0.toISOString() })).toBe(false);
  });

  it('keeps the effects of one commit in one outbox document and deletes it once every entry is acknowledged', async () => {
    const { store, col } = setup();
    await started(store, 'e1');
    const out = await store.transact('e1', (e) => ({ execution: e, effects: [ended('e1'), ended('e1'), ended('e1')] }), at(1));
    expect((await col('outbox').get()).size).toBe(1);
    await store.ackOutbox(out!.outbox.slice(0, 2));
    expect((await store.unpublished(at(2), 10)).map((o) => o.id)).toEqual([out!.outbox[2].id]);
    await store.ackOutbox(out!.outbox.slice(2));
    expect((await col('outbox').get()).size).toBe(0);
  });

  it('packs a step that starts 1,200 task runs and 600 effects into one commit, and later updates win over the packs', async () => {
    const { store, col, prefix } = setup();
    await started(store, 'big');
    const ids = Array.from({ length: 1200 }, (_, i) => `r${String(i).padStart(4, '0')}`);
    const out = await store.transact('big', (e) => ({
      execution: { ...e, taskRunList: ids.map((id) => run('big', id)) },
      effects: Array.from({ length: 600 }, () => ended('big')),
    }), at(1));
    expect(out!.outbox).toHaveLength(600);
    const header = col('executions').doc('big');
    expect((await header.collection('taskRuns').get()).size).toBe(0);
    expect((await header.collection('taskRunPacks').get()).size).toBeGreaterThan(0);
    const fresh = () => new FirestoreStateStore({ firestore: firestore(), collectionPrefix: prefix });
    expect((await fresh().get('big'))!.taskRunList.map((r) => r.id)).toEqual(ids);

    await store.append('big', kill('k1'));
    await store.transact('big', (e) => ({
      execution: { ...e, taskRunList: e.taskRunList.filter((r) => r.id !== 'r0005').map((r) => (r.id === 'r0007' ? { ...r, state: withState(r.state, 'SUCCESS', at(2)) } : r)) },
      effects: [],
    }), at(2));
    const reread = (await fresh().get('big'))!;
    expect(reread.taskRunList).toHaveLength(1199);
    expect(reread.taskRunList.find((r) => r.id === 'r0005')).toBeUndefined();
    expect(reread.taskRunList.find((r) => r.id === 'r0007')?.state.current).toBe('SUCCESS');
    expect(reread.taskRunList.map((r) => r.id)).toEqual(ids.filter((id) => id !== 'r0005'));
  }, 120_000);

  it('refuses a task run larger than a Firestore document with PAYLOAD_TOO_LARGE, naming the task, and commits nothing', async () => {
    const { store } = setup();
    await started(store, 'e1');
    const huge = { ...run('e1', 'a'), outputs: { rows: 'x'.repeat(1_100_000) } };
    await expect(store.transact('e1', (e) => ({ execution: { ...e, taskRunList: [huge] }, effects: [] }), at(1)))
      .rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('task t-a') });
    expect((await store.get('e1'))!.version).toBe(0);
    expect(await store.hasPending('e1')).toBe(true);
  });

  it('reports a document that does not parse as INTERNAL, naming it', async () => {
    const { store, col, prefix } = setup();
    await col('executions').doc('broken').set({ version: 3, data: JSON.stringify({ id: 'broken', state: 'not a state record' }) });
    await expect(store.get('broken')).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(`${prefix}executions/broken`) });
  });
});
