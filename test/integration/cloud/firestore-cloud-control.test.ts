// The cloud runtime's Firestore bookkeeping (wake-ups, stop requests, stranded executions) on the
// emulator started by scripts/services/firestore-emulator.sh.
import { FirestoreAttemptStops, FirestoreStrandedExecutions, FirestoreWakeUpStore } from '../../../lib/adapters/gcp/firestore-cloud-control';
import { FirestoreStateStore } from '../../../lib/adapters/gcp/firestore-state-store';
import { FirestoreExecutionLease } from '../../../lib/adapters/gcp/lease';
import type { Execution } from '../../../lib/model/execution';
import { newStateRecord } from '../../../lib/model/states';
import { firestoreFor, uniquePrefix, uniqueProject, wipeFirestore } from '../adapters-gcp/emulators';

const projectId = uniqueProject('cloudctl');
let db: ReturnType<typeof firestoreFor> | undefined;
const client = () => (db ??= firestoreFor(projectId));
afterAll(async () => {
  if (db) {
    await wipeFirestore(projectId);
    await db.terminate();
  }
});

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function execution(id: string): Execution {
  return { id, namespace: 'io.aloft.tests', flowId: 'f', flowRevision: 1, state: newStateRecord('RUNNING', T0), inputs: {}, taskRunList: [], version: 0 };
}

describe('FirestoreWakeUpStore', () => {
  it('keeps one wake-up per id and returns the due ones, earliest first', async () => {
    const store = new FirestoreWakeUpStore({ firestore: client(), collectionPrefix: uniquePrefix() });
    const w = (id: string, s: number) => ({ id, executionId: 'e', taskRunId: 't', reason: 'retry' as const, at: at(s).toISOString() });
    await store.put(w('b', 20));
    await store.put(w('a', 10));
    await store.put(w('a', 10));
    await store.put(w('c', 90));
    expect((await store.due(at(30), 10)).map((x) => x.id)).toEqual(['a', 'b']);
    await store.remove('a');
    await store.remove('a');
    expect((await store.due(at(100), 10)).map((x) => x.id)).toEqual(['b', 'c']);
    expect(await store.due(at(100), 1)).toHaveLength(1);
  });
});

describe('FirestoreAttemptStops', () => {
  it('reports a stop only for the attempt it was requested for', async () => {
    const stops = new FirestoreAttemptStops({ firestore: client(), collectionPrefix: uniquePrefix() });
    const key = { executionId: 'e', taskRunId: 'tr/1', attempt: 0 };
    expect(await stops.requested(key)).toBe(false);
    await stops.request(key, T0);
    expect(await stops.requested(key)).toBe(true);
    expect(await stops.requested({ ...key, attempt: 1 })).toBe(false);
  });
});

describe('FirestoreStrandedExecutions', () => {
  it('finds executions with old pending events or an expired lease, in its own prefix only', async () => {
    const prefix = uniquePrefix();
    const state = new FirestoreStateStore({ firestore: client(), collectionPrefix: prefix });
    const other = new FirestoreStateStore({ firestore: client(), collectionPrefix: uniquePrefix() });
    const lease = new FirestoreExecutionLease({ firestore: client(), collectionPrefix: prefix });
    const stranded = new FirestoreStrandedExecutions({ firestore: client(), collectionPrefix: prefix });
    const first = { key: 'created', event: { type: 'ExecutionCreated' as const }, at: T0.toISOString() };
    await state.create(execution('pending'), first);
    await other.create(execution('elsewhere'), first);
    await state.create(execution('folded'), first);
    await state.transact('folded', (e, p) => (p.length ? { execution: e, effects: [] } : null), T0);
    await state.create(execution('leased'), first);
    await state.transact('leased', (e, p) => (p.length ? { execution: e, effects: [] } : null), T0);
    await lease.acquire('leased', 'dead-holder', T0, 1_000);

    const now = new Date();
    // Events appended just now are not old yet; the lease expired long ago.
    expect(await stranded.find(new Date(now.getTime() - 60_000), now, 10)).toEqual(['leased']);
    expect((await stranded.find(new Date(now.getTime() + 60_000), now, 10)).sort()).toEqual(['leased', 'pending']);
  });
});
