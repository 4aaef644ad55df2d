// The AttemptStopStore contract: a stop requested for one attempt is seen for that attempt only.
import type { AttemptKey } from '../../../lib/ports/attempt-ledger';
import type { AttemptStopStore } from '../../../lib/ports/cloud-control';
import { unique } from './helpers';

export interface AttemptStopStoreFixture {
  stops: AttemptStopStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const key = (attempt = 0): AttemptKey => ({ executionId: unique('exec'), taskRunId: unique('run'), attempt });

export function attemptStopStoreContract(name: string, make: () => Promise<AttemptStopStoreFixture>): void {
  describe(`AttemptStopStore contract: ${name}`, () => {
    let fx: AttemptStopStoreFixture;
    let stops: AttemptStopStore;
    beforeEach(async () => {
      fx = await make();
      stops = fx.stops;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('reports no stop for an attempt nobody asked to stop', async () => {
      expect(await stops.requested(key())).toBe(false);
    });

    it('reports a requested stop, and a second request changes nothing', async () => {
      const k = key();
      await stops.request(k, T0);
      expect(await stops.requested(k)).toBe(true);
      await stops.request(k, T0);
      expect(await stops.requested(k)).toBe(true);
    });

    it('stops only the attempt named: not another attempt of the run, nor another run', async () => {
      const k = key(1);
      await stops.request(k, T0);
      expect(await stops.requested({ ...k, attempt: 0 })).toBe(false);
      expect(await stops.requested({ ...k, attempt: 2 })).toBe(false);
      expect(await stops.requested({ ...k, taskRunId: unique('run') })).toBe(false);
      expect(await stops.requested({ ...k, executionId: unique('exec') })).toBe(false);
    });
  });
}
