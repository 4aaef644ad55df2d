// Durability across a real process kill: what the writer saw acknowledged by durable() is there
// after a SIGKILL, and the directory opens again (the OS released the dead process's lock).
import { rmSync } from 'node:fs';
import { openSqliteData } from '../../../../lib/adapters/sqlite';
import { runFixture } from './child';
import { tempDir } from './temp-data';

const N = 1200;

describe('the SQLite data after a SIGKILL', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir(); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('keeps every write acknowledged as durable, and opens again', async () => {
    const child = runFixture('crash-writer.ts', [dir, String(N)]);
    await child.line((l) => l === 'ok');
    child.process.kill('SIGKILL');
    await child.exited;

    const data = openSqliteData(dir);
    try {
      const { store } = data;
      for (let i = 0; i < N; i++) {
        const e = await store.get(`e${i}`);
        expect(e).toMatchObject({ version: 3, state: { current: i % 2 === 0 ? 'SUCCESS' : 'RUNNING' } });
        expect(e!.taskRunList.map((r) => r.outputs)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
        for (const key of ['created', 'k0', 'k1', 'k2']) expect(store.appendNow(`e${i}`, { key, event: { type: 'Kill' }, at: '' })).toBe(false);
      }
      // The odd ones still wait for their last event (and maybe some of the unacknowledged ones).
      const keys: string[] = [];
      store.transactNow('e1', (e, pending) => { keys.push(...pending.map((p) => p.key)); return null; }, new Date());
      expect(keys[0]).toBe('late');
      expect(await store.hasPending('e0')).toBe(false);
      expect(await data.stranded.find(new Date('2030-01-01T00:00:00Z'), new Date(), 10_000)).toHaveLength(N / 2);

      const attempt = (i: number, n: number) => ({ executionId: `e${i}`, taskRunId: `e${i}-r${n}`, attempt: 0 });
      expect(data.ledger.claimNow(attempt(3, 0), 'w2', new Date())).toBe(false);
      expect(data.ledger.claimNow(attempt(3, 2), 'w2', new Date())).toBe(false);
      const stale = await data.ledger.stale(new Date('2030-01-01T00:00:00Z'), 10_000);
      expect(stale).toHaveLength(N);
      expect(new Set(stale.map((c) => c.taskRunId.split('-')[1]))).toEqual(new Set(['r2']));
      expect((await data.logs.list('e0')).map((l) => l.message)).toEqual(['logged']);
    } finally {
      data.close();
    }
  }, 60_000);
});
