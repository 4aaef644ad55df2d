// The SQLite store against the memory store, on seeded random sequences of operations with commits
// and reopens in between: after every step, both hold the same executions and the same pending
// events. Small caches, journal spans and settle batches make every path of the SQLite store run.
import { MemoryStateStore } from '../../../../lib/adapters/local';
import type { Effect } from '../../../../lib/model/effects';
import type { Execution, TaskRun } from '../../../../lib/model/execution';
import { newStateRecord, withState } from '../../../../lib/model/states';
import type { PendingEvent, TransactOutcome } from '../../../../lib/ports/state-store';
import type { SqliteStateStore } from '../../../../lib/adapters/sqlite';
import { tempData, type TempData } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');

/** mulberry32: a small seeded generator, so a failing sequence can be replayed. */
function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const execution = (id: string): Execution => ({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', T0), inputs: { id }, taskRunList: [], version: 0,
});
const run = (id: string, n: number, outputs: Record<string, unknown>): TaskRun => ({
  id: `${id}-r${n}`, executionId: id, namespace: 'n', flowId: 'f', taskId: `t${n}`, attempts: [], state: newStateRecord('RUNNING', T0), outputs,
});

/** A fold chosen by `kind`: the same function is given to both stores. */
function fold(kind: number, step: number): (e: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null {
  return (e, pending) => {
    const runs = e.taskRunList;
    const effects: Effect[] = kind % 2 === 0
      ? [{ type: 'ExecutionEnded', executionId: e.id, namespace: 'n', flowId: 'f', flowRevision: 1, state: 'SUCCESS' }] : [];
    switch (kind) {
      case 0: return null;
      case 1: return { execution: { ...e, taskRunList: [...runs, run(e.id, runs.length, { step, pending: pending.length })] }, effects };
      case 2: return runs.length === 0 ? null : { execution: { ...e, taskRunList: [...runs.slice(0, -1), { ...runs[runs.length - 1], outputs: { step } }] }, effects };
      case 3: return { execution: { ...e, taskRunList: runs.slice(0, Math.floor(runs.length / 2)) }, effects };
      case 4: return { execution: { ...e, state: withState(e.state, 'SUCCESS', T0) }, effects };
      case 5: return { execution: { ...e, state: withState(e.state, 'RUNNING', T0), labels: { step: String(step) } }, effects };
      default: return { execution: e, effects };
    }
  };
}

describe('SqliteStateStore against the memory store', () => {
  let t: TempData;
  afterEach(async () => { await t.cleanup(); });

  it.each([1, 2, 3, 4])('holds the same state after a random sequence of operations, commits and reopens (seed %i)', async (seed) => {
    const opts = { endedCacheSize: 2, journalSpan: 40, settleBatch: 3 };
    t = tempData(opts);
    const next = random(seed);
    const memory = new MemoryStateStore();
    let sqlite: SqliteStateStore = t.data.store;
    const ids: string[] = [];
    const outbox: Array<{ id: string }> = [];
    const check = async (): Promise<void> => {
      for (const id of ids) {
        expect(sqlite.getNow(id)).toEqual(memory.getNow(id));
        expect(sqlite.hasPendingNow(id)).toBe(memory.hasPendingNow(id));
      }
      const far = new Date('2030-01-01T00:00:00Z');
      expect((await sqlite.unpublished(far, 10_000)).map((o) => o.id).sort()).toEqual((await memory.unpublished(far, 10_000)).map((o) => o.id).sort());
    };
    for (let step = 0; step < 400; step++) {
      const op = next(20);
      if (op < 2 || ids.length === 0) {
        const id = `e${ids.length}`;
        ids.push(id);
        const first = { key: 'created', event: { type: 'ExecutionCreated' as const }, at: T0.toISOString() };
        await Promise.all([memory.create(execution(id), first), sqlite.create(execution(id), first)]);
        continue;
      }
      const id = ids[next(ids.length)];
      if (op < 8) {
        const p: PendingEvent = { key: `k${next(12)}`, event: { type: 'Resume', inputs: { step } }, at: T0.toISOString(), ...(next(10) === 0 ? { interrupts: true } : {}) };
        expect(sqlite.appendNow(id, p)).toBe(memory.appendNow(id, p));
      } else if (op < 15) {
        const f = fold(next(7), step);
        const keys = next(4) === 0 ? [`k${next(12)}`, `k${next(12)}`] : undefined;
        let mine: unknown;
        let theirs: unknown;
        try { theirs = memory.transactNow(id, f, T0, keys); } catch (err) { theirs = (err as { code?: string }).code; }
        try { mine = sqlite.transactNow(id, f, T0, keys); } catch (err) { mine = (err as { code?: string }).code; }
        expect(mine).toEqual(theirs);
        if (theirs && typeof theirs === 'object') outbox.push(...(theirs as { outbox: Array<{ id: string }> }).outbox);
      } else if (op < 17 && outbox.length > 0) {
        const acked = outbox.splice(0, next(outbox.length) + 1);
        memory.ackOutboxNow(acked as never);
        sqlite.ackOutboxNow(acked as never);
      } else if (op < 19) {
        await t.data.durable();
      } else {
        sqlite = t.reopen(opts).store;
      }
      await check();
    }
    sqlite = t.reopen(opts).store;
    await check();
  }, 60_000);
});
