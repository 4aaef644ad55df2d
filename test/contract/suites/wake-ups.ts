// The WakeUpStore contract: a wake-up stored twice is kept once, due ones come back earliest first
// and no more than asked, and removing an unknown one is harmless.
import type { WakeUpRecord, WakeUpStore } from '../../../lib/ports/cloud-control';
import { unique } from './helpers';

export interface WakeUpStoreFixture {
  store: WakeUpStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const wakeUp = (seconds: number, fields: Partial<WakeUpRecord> = {}): WakeUpRecord => ({
  id: unique('wake'), executionId: unique('exec'), taskRunId: unique('run'), reason: 'retry', at: at(seconds).toISOString(), ...fields,
});

export function wakeUpStoreContract(name: string, make: () => Promise<WakeUpStoreFixture>): void {
  describe(`WakeUpStore contract: ${name}`, () => {
    let fx: WakeUpStoreFixture;
    let store: WakeUpStore;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('returns a wake-up once it is due, with every field as stored', async () => {
      const w = wakeUp(10, { reason: 'pause-timeout' });
      await store.put(w);
      expect(await store.due(at(9), 10)).toEqual([]);
      expect(await store.due(at(10), 10)).toEqual([w]);
    });

    it('keeps one wake-up when the same id is stored twice', async () => {
      const w = wakeUp(5);
      await store.put(w);
      await store.put({ ...w });
      expect(await store.due(at(60), 10)).toEqual([w]);
    });

    it('returns due wake-ups earliest first, no more than the limit', async () => {
      const late = wakeUp(30);
      const early = wakeUp(10);
      const middle = wakeUp(20, { reason: 'pause-delay' });
      const future = wakeUp(90);
      for (const w of [late, early, future, middle]) await store.put(w);
      expect(await store.due(at(60), 10)).toEqual([early, middle, late]);
      expect(await store.due(at(60), 2)).toEqual([early, middle]);
    });

    it('forgets a removed wake-up, and removing an unknown one does nothing', async () => {
      const [a, b] = [wakeUp(1), wakeUp(2)];
      await store.put(a);
      await store.put(b);
      await store.remove(a.id);
      await store.remove(a.id);
      await store.remove(unique('never-stored'));
      expect(await store.due(at(60), 10)).toEqual([b]);
    });
  });
}
