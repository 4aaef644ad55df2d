// The StrandedExecutions contract: an execution is found when an event of it waits unfolded since
// before the threshold, or when its lease expired; never for events already folded.
// Stores stamp an event's append time themselves (Firestore: the server's clock), so these tests
// append at the real time and put the threshold a minute either side of it.
import type { ExecutionLease } from '../../../lib/ports/execution-lease';
import type { StrandedExecutions } from '../../../lib/ports/cloud-control';
import type { Execution } from '../../../lib/model/execution';
import { newStateRecord } from '../../../lib/model/states';
import type { StateStore } from '../../../lib/ports/state-store';
import { unique } from './helpers';

export interface StrandedExecutionsFixture {
  stranded: StrandedExecutions;
  /** The store whose pending events `stranded` looks at. */
  store: StateStore;
  /** The lease whose expired entries `stranded` reports. */
  lease: ExecutionLease;
  cleanup(): Promise<void>;
}

function execution(id: string, now: Date): Execution {
  return {
    id, namespace: 'io.aloft.tests', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', now), inputs: {}, taskRunList: [], version: 0,
  };
}

export function strandedExecutionsContract(name: string, make: () => Promise<StrandedExecutionsFixture>): void {
  describe(`StrandedExecutions contract: ${name}`, () => {
    let fx: StrandedExecutionsFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    /** Creates an execution whose first event is pending; folds it when `fold` is set. */
    async function created(fold: boolean): Promise<string> {
      const id = unique('exec');
      const now = new Date();
      await fx.store.create(execution(id, now), { key: 'created', event: { type: 'ExecutionCreated' }, at: now.toISOString() });
      if (fold) await fx.store.transact(id, (e) => ({ execution: { ...e, state: newStateRecord('RUNNING', now) }, effects: [] }), now);
      return id;
    }

    it('finds an execution whose event waits since before the threshold, not one whose events were folded', async () => {
      const waiting = await created(false);
      const folded = await created(true);
      const later = new Date(Date.now() + 60_000);
      const found = await fx.stranded.find(later, later, 100);
      expect(found).toContain(waiting);
      expect(found).not.toContain(folded);
    });

    it('does not find an event appended after the threshold', async () => {
      const waiting = await created(false);
      const earlier = new Date(Date.now() - 60_000);
      expect(await fx.stranded.find(earlier, earlier, 100)).not.toContain(waiting);
    });

    it('finds an execution whose lease expired, not one whose lease is held', async () => {
      const [dead, alive] = [unique('exec'), unique('exec')];
      const t = new Date('2024-03-14T10:00:00.000Z');
      await fx.lease.acquire(dead, 'died', t, 10_000);
      await fx.lease.acquire(alive, 'alive', t, 60_000);
      const now = new Date(t.getTime() + 30_000);
      const found = await fx.stranded.find(new Date(0), now, 100);
      expect(found).toContain(dead);
      expect(found).not.toContain(alive);
    });

    it('returns no more than the limit', async () => {
      for (let i = 0; i < 3; i++) await created(false);
      const later = new Date(Date.now() + 60_000);
      expect(await fx.stranded.find(later, later, 2)).toHaveLength(2);
    });
  });
}
