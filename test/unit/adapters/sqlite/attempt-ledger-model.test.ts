// The SQLite ledger against the memory ledger, on seeded random claims, heartbeats, finishes and
// refusals with commits and reopens in between: both grant and refuse the same claims, and report
// the same stale ones.
import { MemoryAttemptLedger } from '../../../../lib/adapters/local';
import type { SqliteAttemptLedger } from '../../../../lib/adapters/sqlite';
import type { AttemptKey } from '../../../../lib/ports/attempt-ledger';
import { tempData, type TempData } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (s: number): Date => new Date(T0.getTime() + s * 1000);

function random(seed: number): (n: number) => number {
  let a = seed;
  return (n) => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('SqliteAttemptLedger against the memory ledger', () => {
  let t: TempData;
  afterEach(async () => { await t.cleanup(); });

  // Given more than jest's 5 s: each of its ~30 reopens starts a writer thread, slow on a loaded machine.
  it.each([1, 2, 3])('answers the same after random operations, commits and reopens (seed %i)', async (seed) => {
    const opts = { attemptBatchSize: 7 };
    t = tempData(opts);
    const next = random(seed);
    const memory = new MemoryAttemptLedger();
    let sqlite: SqliteAttemptLedger = t.data.ledger;
    const key = (): AttemptKey => ({ executionId: `e${next(4)}`, taskRunId: `r${next(4)}`, attempt: next(3) });
    /** Stale claims in full, in a fixed order (the two may order ties on the heartbeat differently). */
    const stale = async (ledger: { stale: MemoryAttemptLedger['stale'] }, cut: number): Promise<string[]> =>
      (await ledger.stale(at(cut), 1000)).map((c) => JSON.stringify(c)).sort();
    for (let step = 0; step < 300; step++) {
      const op = next(10);
      const k = key();
      if (op < 4) {
        const worker = `w${next(2)}`;
        const timeout = next(2) ? 1000 : undefined;
        expect(sqlite.claimNow(k, worker, at(step), timeout)).toBe(memory.claimNow(k, worker, at(step), timeout));
      }
      else if (op < 5) await Promise.all([memory.heartbeat(k, at(step)), sqlite.heartbeat(k, at(step))]);
      else if (op < 7) { memory.finishNow(k); sqlite.finishNow(k, at(step)); }
      else if (op < 8) await Promise.all([memory.refuse(k), sqlite.refuse(k)]);
      else if (op < 9) await t.data.durable();
      else sqlite = t.reopen(opts).ledger;
      if (step % 25 === 0) expect(await stale(sqlite, step + 1)).toEqual(await stale(memory, step + 1));
    }
  }, 30_000);
});
