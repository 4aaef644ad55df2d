// The per-execution lease on the Firestore emulator, and the fan-in it exists for: 200 results
// landing at once on one execution, each appended and drained by its own caller.
import { FirestoreExecutionLease, drainUnderLease } from '../../../lib/adapters/gcp/lease';
import { FirestoreStateStore } from '../../../lib/adapters/gcp/firestore-state-store';
import type { Execution, TaskRun } from '../../../lib/model/execution';
import { newStateRecord, withState } from '../../../lib/model/states';
import { firestoreFor, uniquePrefix, uniqueProject, wipeFirestore } from './emulators';

const projectId = uniqueProject('lease');
let db: ReturnType<typeof firestoreFor> | undefined;
const client = () => (db ??= firestoreFor(projectId));
afterAll(async () => {
  if (db) {
    await wipeFirestore(projectId);
    await db.terminate();
  }
});

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

describe('FirestoreExecutionLease', () => {
  it('grants the lease to one holder until it is released', async () => {
    const lease = new FirestoreExecutionLease({ firestore: client(), collectionPrefix: uniquePrefix() });
    const a = await lease.acquire('e1', 'a', at(0), 30_000);
    expect(a).toMatchObject({ executionId: 'e1', holder: 'a', expiresAt: at(30).toISOString() });
    expect(await lease.acquire('e1', 'b', at(1), 30_000)).toBeNull();
    expect(await lease.acquire('e2', 'b', at(1), 30_000)).not.toBeNull();
    await lease.release(a!);
    expect(await lease.acquire('e1', 'b', at(2), 30_000)).toMatchObject({ holder: 'b' });
  });

  it('lets another holder take an expired lease, after which the old holder can neither renew nor release it', async () => {
    const lease = new FirestoreExecutionLease({ firestore: client(), collectionPrefix: uniquePrefix() });
    const a = (await lease.acquire('e1', 'a', at(0), 10_000))!;
    expect(await lease.acquire('e1', 'b', at(5), 10_000)).toBeNull();
    const b = await lease.acquire('e1', 'b', at(11), 10_000);
    expect(b).toMatchObject({ holder: 'b', expiresAt: at(21).toISOString() });
    expect(await lease.renew(a, at(12), 10_000)).toBeNull();
    await lease.release(a);
    expect(await lease.acquire('e1', 'c', at(13), 10_000)).toBeNull();
    const renewed = await lease.renew(b!, at(14), 10_000);
    expect(renewed).toMatchObject({ holder: 'b', expiresAt: at(24).toISOString() });
    await lease.release(renewed!);
    expect(await lease.acquire('e1', 'c', at(15), 10_000)).not.toBeNull();
  });
});

describe('drainUnderLease on one execution', () => {
  function execution(id: string, runs: number): Execution {
    const taskRunList: TaskRun[] = Array.from({ length: runs }, (_, i) => ({
      id: `run${i}`, executionId: id, namespace: 'io.aloft.tests', flowId: 'fanin', taskId: `t${i}`, attempts: [],
      state: newStateRecord('RUNNING', T0),
    }));
    return {
      id, namespace: 'io.aloft.tests', flowId: 'fanin', flowRevision: 1, state: newStateRecord('RUNNING', T0), inputs: {},
      taskRunList, version: 0,
    };
  }

  it.each([
    ['appended at once', 0],
    ['arriving over about a second', 50],
  ])('folds 200 results %s without losing one and without surfacing ABORTED or CONFLICT', async (label, spreadMs) => {
    const prefix = uniquePrefix();
    const store = new FirestoreStateStore({ firestore: client(), collectionPrefix: prefix });
    const lease = new FirestoreExecutionLease({ firestore: client(), collectionPrefix: prefix });
    const id = 'fanin-200';
    const N = 200;
    await store.create(execution(id, N), { key: 'created', event: { type: 'ExecutionCreated' }, at: T0.toISOString() });
    let transactions = 0;
    const fold = (e: Execution, pending: readonly { event: { type: string; result?: { taskRunId: string } } }[]) => {
      if (pending.length === 0) return null;
      const done = new Set(pending.flatMap((p) => (p.event.type === 'WorkerResult' && p.event.result ? [p.event.result.taskRunId] : [])));
      const taskRunList = e.taskRunList.map((r) => (done.has(r.id) ? { ...r, state: withState(r.state, 'SUCCESS', at(1)) } : r));
      return { execution: { ...e, taskRunList }, effects: [] };
    };
    const pass = async () => {
      const out = await store.transact(id, fold, at(1));
      if (out) transactions++;
    };
    const started = process.hrtime.bigint();
    const reports = await Promise.allSettled(Array.from({ length: N }, async (_, i) => {
      // Arrivals spread in 20 waves, so folds overlap with appends.
      if (spreadMs) await new Promise((r) => setTimeout(r, (i % 20) * spreadMs));
      const appended = await store.append(id, {
        key: `WorkerResult:run${i}:0`, at: at(1).toISOString(),
        event: { type: 'WorkerResult', result: { executionId: id, taskRunId: `run${i}`, attempt: 0, state: 'SUCCESS', startedAt: T0.toISOString(), endedAt: at(1).toISOString() } },
      });
      expect(appended).toBe(true);
      return drainUnderLease({ lease, holder: `worker-${i}`, now: () => at(1) }, id, () => store.hasPending(id), pass);
    }));
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;

    const failures = reports.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason));
    expect(failures).toEqual([]);
    const done = reports.map((r) => (r as PromiseFulfilledResult<{ passes: number; conflicts: number; leased: boolean }>).value);
    expect(done.reduce((n, r) => n + r.conflicts, 0)).toBe(0);
    // Nothing was stranded: the last holder re-checked after releasing.
    expect(await store.hasPending(id)).toBe(false);
    const final = (await store.get(id))!;
    expect(final.taskRunList.filter((r) => r.state.current === 'SUCCESS')).toHaveLength(N);
    expect(final.version).toBe(transactions);
    // Each result costs a bounded number of transactions: folds batch what piled up meanwhile.
    expect(transactions).toBeLessThanOrEqual(N);
    console.log(JSON.stringify({
      measure: `fan-in on one execution (Firestore emulator), results ${label}`, results: N, transactions, wall_ms: Math.round(wallMs),
      callers_that_held_the_lease: done.filter((r) => r.leased).length, conflicts: 0, aborted_surfaced: failures.length,
    }));
  }, 300_000);
});
