// The AttemptLedger contract: an attempt is claimed once, heartbeats keep it alive, stale ones are found.
import type { AttemptKey, AttemptLedger } from '../../../lib/ports/attempt-ledger';
import { unique } from './helpers';

export interface AttemptLedgerFixture {
  ledger: AttemptLedger;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const key = (attempt = 0): AttemptKey => ({ executionId: unique('exec'), taskRunId: unique('run'), attempt });

export function attemptLedgerContract(name: string, make: () => Promise<AttemptLedgerFixture>): void {
  describe(`AttemptLedger contract: ${name}`, () => {
    let fx: AttemptLedgerFixture;
    let ledger: AttemptLedger;
    beforeEach(async () => {
      fx = await make();
      ledger = fx.ledger;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('grants the first claim and refuses a duplicate', async () => {
      const k = key();
      expect(await ledger.claim(k, 'worker-a', at(0), 1000)).toBe(true);
      expect(await ledger.claim(k, 'worker-b', at(1), 1000)).toBe(false);
      expect(await ledger.claim(k, 'worker-a', at(2), 1000)).toBe(false);
    });

    it('grants exactly one of many concurrent claims', async () => {
      const k = key();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.claim(k, `worker-${i}`, at(0))));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('treats each attempt number of a task run as its own claim', async () => {
      const k = key(0);
      expect(await ledger.claim(k, 'w', at(0))).toBe(true);
      expect(await ledger.claim({ ...k, attempt: 1 }, 'w', at(1))).toBe(true);
    });

    it('refuses a claim on a finished attempt', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      await ledger.finish(k, at(1));
      expect(await ledger.claim(k, 'w2', at(2))).toBe(false);
    });

    it('refuses every claim of an attempt refused before anyone claimed it', async () => {
      const k = key();
      await ledger.refuse(k, at(0));
      expect(await ledger.claim(k, 'w', at(1))).toBe(false);
      expect(await ledger.claim({ ...k, attempt: 1 }, 'w', at(1))).toBe(true);
    });

    it('leaves a claimed attempt running when it is refused: it can still be found stale', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      await ledger.refuse(k, at(1));
      expect((await ledger.stale(at(100), 100)).filter((c) => c.executionId === k.executionId).map((c) => c.attempt)).toEqual([0]);
    });

    it('refuses or claims, never both, when a refusal races a claim', async () => {
      const k = key();
      const [, claimed] = await Promise.all([ledger.refuse(k, at(0)), ledger.claim(k, 'w', at(0))]);
      const stale = (await ledger.stale(at(100), 100)).filter((c) => c.executionId === k.executionId);
      expect(stale).toHaveLength(claimed ? 1 : 0);
      expect(await ledger.claim(k, 'w2', at(2))).toBe(false);
    });

    it('reports running claims whose heartbeat is older than the cut-off, oldest first', async () => {
      const run = unique('run');
      const a = { executionId: unique('exec'), taskRunId: run, attempt: 0 };
      const b = { executionId: a.executionId, taskRunId: run, attempt: 1 };
      await ledger.claim(a, 'w', at(0), 500);
      await ledger.claim(b, 'w', at(10));
      const stale = (await ledger.stale(at(20), 10)).filter((c) => c.executionId === a.executionId);
      expect(stale.map((c) => c.attempt)).toEqual([0, 1]);
      expect(stale[0]).toMatchObject({ ...a, workerId: 'w', state: 'RUNNING', timeoutMs: 500, claimedAt: at(0).toISOString() });
      expect((await ledger.stale(at(5), 10)).filter((c) => c.executionId === a.executionId).map((c) => c.attempt)).toEqual([0]);
    });

    it('keeps a claim fresh with heartbeats', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      await ledger.heartbeat(k, at(30));
      const mine = async (cut: number) => (await ledger.stale(at(cut), 100)).filter((c) => c.executionId === k.executionId);
      expect(await mine(20)).toEqual([]);
      expect((await mine(40))[0]?.heartbeat).toBe(at(30).toISOString());
    });

    it('never reports a finished attempt as stale', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      await ledger.finish(k, at(1));
      expect((await ledger.stale(at(100), 100)).filter((c) => c.executionId === k.executionId)).toEqual([]);
    });

    it('returns what a sweep suspected of a stale claim, and the new heartbeat once the worker beats again', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      const mine = async () => (await ledger.stale(at(100), 100)).find((c) => c.executionId === k.executionId);
      expect((await mine())?.suspected).toBeUndefined();
      await ledger.suspect(k, at(0).toISOString(), at(50));
      expect((await mine())?.suspected).toEqual({ heartbeat: at(0).toISOString(), at: at(50).toISOString() });
      await ledger.heartbeat(k, at(60));
      const after = await mine();
      expect(after?.heartbeat).toBe(at(60).toISOString());
      expect(after?.suspected?.heartbeat).not.toBe(after?.heartbeat);
    });

    it('ignores a suspicion of an attempt that is finished or unknown', async () => {
      const k = key();
      await ledger.claim(k, 'w', at(0));
      await ledger.finish(k, at(1));
      await ledger.suspect(k, at(0).toISOString(), at(50));
      await ledger.suspect(key(), at(0).toISOString(), at(50));
      expect((await ledger.stale(at(100), 100)).filter((c) => c.executionId === k.executionId)).toEqual([]);
    });

    it('returns at most `limit` stale claims', async () => {
      const exec = unique('exec');
      for (let i = 0; i < 3; i++) await ledger.claim({ executionId: exec, taskRunId: `r${i}`, attempt: 0 }, 'w', at(i));
      const stale = await ledger.stale(at(100), 2);
      expect(stale.length).toBeLessThanOrEqual(2);
      expect(stale.length).toBeGreaterThan(0);
    });
  });
}
