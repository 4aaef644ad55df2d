import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempData, type TempData } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const key = (i: number, attempt = 0) => ({ executionId: `e${i}`, taskRunId: `r${i}`, attempt });

describe('SqliteAttemptLedger', () => {
  let t: TempData;
  afterEach(async () => { await t.cleanup(); });

  it.each([
    ['from its journal', 20_000],
    ['from its table, written in batches', 5],
  ])('reads claims, heartbeats and finishes back after a reopen, %s', async (_how, batchSize) => {
    t = tempData({});
    let ledger = t.reopen({ attemptBatchSize: batchSize }).ledger;
    for (let i = 0; i < 12; i++) expect(ledger.claimNow(key(i), 'w', at(i), 1000)).toBe(true);
    for (let i = 0; i < 12; i += 2) ledger.finishNow(key(i), at(20));
    await ledger.heartbeat(key(1), at(30));
    await ledger.refuse(key(99));
    await t.data.durable();
    ledger = t.reopen({ attemptBatchSize: batchSize }).ledger;
    for (let i = 0; i < 12; i++) expect(ledger.claimNow(key(i), 'w2', at(40))).toBe(false);
    expect(ledger.claimNow(key(99), 'w2', at(40))).toBe(false);
    expect(ledger.claimNow(key(0, 1), 'w2', at(40))).toBe(true);
    const stale = await ledger.stale(at(25), 100);
    expect(stale.map((c) => c.executionId)).toEqual(['e3', 'e5', 'e7', 'e9', 'e11']);
    expect(stale[0]).toEqual({ executionId: 'e3', taskRunId: 'r3', attempt: 0, workerId: 'w', claimedAt: at(3).toISOString(), heartbeat: at(3).toISOString(), timeoutMs: 1000, state: 'RUNNING' });
    expect((await ledger.stale(at(31), 100)).map((c) => c.executionId)).toContain('e1');
  });

  it('journals an attempt once per commit, as it is at the commit: a claim and its finish in one commit are one row', async () => {
    t = tempData({});
    const { ledger } = t.data;
    ledger.claimNow(key(0), 'w', at(0));
    ledger.finishNow(key(0), at(1));
    ledger.claimNow(key(1), 'w', at(0));
    await t.data.durable();
    ledger.finishNow(key(1), at(2));
    ledger.claimNow(key(2), 'w', at(2));
    const dir = t.dir;
    t.data.close();
    const raw = new Database(join(dir, 'aloft.db'));
    expect(raw.prepare('SELECT task_run_id, running FROM attempt_journal ORDER BY seq').all()).toEqual([
      { task_run_id: 'r0', running: 0 }, { task_run_id: 'r1', running: 1 }, { task_run_id: 'r1', running: 0 }, { task_run_id: 'r2', running: 1 },
    ]);
    raw.close();
    const again = t.reopen().ledger;
    for (const i of [0, 1, 2]) expect(again.claimNow(key(i), 'w2', at(3))).toBe(false);
    expect((await again.stale(at(3), 10)).map((c) => c.taskRunId)).toEqual(['r2']);
  });
});
