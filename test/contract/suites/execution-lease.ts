// The ExecutionLease contract: one holder per execution at a time, taken over once expired, and a
// release by a holder that lost its lease leaves the new holder's alone.
import type { ExecutionLease } from '../../../lib/ports/execution-lease';
import { unique } from './helpers';

export interface ExecutionLeaseFixture {
  lease: ExecutionLease;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export function executionLeaseContract(name: string, make: () => Promise<ExecutionLeaseFixture>): void {
  describe(`ExecutionLease contract: ${name}`, () => {
    let fx: ExecutionLeaseFixture;
    let lease: ExecutionLease;
    beforeEach(async () => {
      fx = await make();
      lease = fx.lease;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('grants a free lease with its holder and expiry', async () => {
      const id = unique('exec');
      expect(await lease.acquire(id, 'a', at(0), 30_000)).toMatchObject({ executionId: id, holder: 'a', expiresAt: at(30).toISOString() });
    });

    it('refuses the lease while another holder has it, and grants it again once released', async () => {
      const id = unique('exec');
      const a = (await lease.acquire(id, 'a', at(0), 30_000))!;
      expect(await lease.acquire(id, 'b', at(1), 30_000)).toBeNull();
      expect(await lease.acquire(id, 'a', at(1), 30_000)).toBeNull();
      await lease.release(a);
      expect(await lease.acquire(id, 'b', at(2), 30_000)).toMatchObject({ holder: 'b' });
    });

    it('keeps the leases of different executions apart', async () => {
      const [one, two] = [unique('exec'), unique('exec')];
      expect(await lease.acquire(one, 'a', at(0), 30_000)).not.toBeNull();
      expect(await lease.acquire(two, 'b', at(0), 30_000)).toMatchObject({ executionId: two, holder: 'b' });
    });

    it('lets another holder take an expired lease, and ignores the release of the holder that lost it', async () => {
      const id = unique('exec');
      const a = (await lease.acquire(id, 'a', at(0), 10_000))!;
      expect(await lease.acquire(id, 'b', at(9), 10_000)).toBeNull();
      const b = await lease.acquire(id, 'b', at(11), 10_000);
      expect(b).toMatchObject({ holder: 'b', expiresAt: at(21).toISOString() });
      await lease.release(a);
      expect(await lease.acquire(id, 'c', at(12), 10_000)).toBeNull();
      await lease.release(b!);
      expect(await lease.acquire(id, 'c', at(13), 10_000)).toMatchObject({ holder: 'c' });
    });

    it('does nothing when a lease is released twice', async () => {
      const id = unique('exec');
      const a = (await lease.acquire(id, 'a', at(0), 30_000))!;
      await lease.release(a);
      await lease.release(a);
      expect(await lease.acquire(id, 'b', at(1), 30_000)).not.toBeNull();
    });

    it('grants exactly one of many concurrent acquisitions', async () => {
      const id = unique('exec');
      const got = await Promise.all(Array.from({ length: 8 }, (_, i) => lease.acquire(id, `h${i}`, at(0), 30_000)));
      expect(got.filter((g) => g !== null)).toHaveLength(1);
    });
  });
}
