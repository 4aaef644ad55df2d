// The TriggerStateStore contract, run against every adapter (in memory here; Firestore later).
import type { ConditionWindow, TriggerStateStore } from '../../../lib/ports/trigger-state';
import { unique } from './helpers';

export interface TriggerStateFixture {
  store: TriggerStateStore;
  cleanup(): Promise<void>;
}

const d = (hh: number, mm = 0): string => new Date(Date.UTC(2024, 2, 14, hh, mm)).toISOString();
const window = (results: Record<string, boolean> = {}): ConditionWindow => ({ start: d(0), end: d(23, 59), results });

export function triggerStateContract(name: string, make: () => Promise<TriggerStateFixture>): void {
  describe(`TriggerStateStore contract: ${name}`, () => {
    let fx: TriggerStateFixture;
    let store: TriggerStateStore;
    let key: string;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
      key = `io.aloft.tests:${unique('flow')}:daily`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('has no last date for a trigger it never saw', async () => {
      expect(await store.getLastDate(key)).toBeUndefined();
    });

    it('sets the baseline once and keeps the first one', async () => {
      expect(await store.initSchedule(key, d(8))).toBe(true);
      expect(await store.initSchedule(key, d(9))).toBe(false);
      expect(await store.getLastDate(key)).toBe(d(8));
    });

    it('claims a later date and refuses the same date a second time', async () => {
      await store.initSchedule(key, d(8));
      expect(await store.claimScheduleDate(key, d(9))).toBe(true);
      expect(await store.claimScheduleDate(key, d(9))).toBe(false);
      expect(await store.getLastDate(key)).toBe(d(9));
    });

    it('refuses a date older than the last claimed one', async () => {
      expect(await store.claimScheduleDate(key, d(10))).toBe(true);
      expect(await store.claimScheduleDate(key, d(9))).toBe(false);
      expect(await store.getLastDate(key)).toBe(d(10));
    });

    it('gives a date to exactly one of many concurrent claimers', async () => {
      await store.initSchedule(key, d(8));
      const wins = await Promise.all(Array.from({ length: 10 }, () => store.claimScheduleDate(key, d(9))));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('keeps the state of each trigger apart', async () => {
      const other = `${key}-other`;
      expect(await store.claimScheduleDate(key, d(9))).toBe(true);
      expect(await store.claimScheduleDate(other, d(9))).toBe(true);
      await store.deleteTrigger(other);
    });

    it('folds a window from nothing and reads it back', async () => {
      const result = await store.updateWindow(key, 'multiple', (current) => {
        expect(current).toBeNull();
        return { next: window({ a: true }), result: 'created' };
      });
      expect(result).toBe('created');
      expect(await store.getWindow(key, 'multiple')).toEqual(window({ a: true }));
    });

    it('passes the stored window to the next fold and deletes it when the fold returns null', async () => {
      await store.updateWindow(key, 'multiple', () => ({ next: window({ a: true }), result: null }));
      const seen = await store.updateWindow(key, 'multiple', (current) => ({ next: null, result: current }));
      expect(seen).toEqual(window({ a: true }));
      expect(await store.getWindow(key, 'multiple')).toBeNull();
    });

    it('loses no result when windows are folded concurrently', async () => {
      const keys = ['a', 'b', 'c', 'd', 'e'];
      await Promise.all(keys.map((k) => store.updateWindow(key, 'multiple', (current) => ({
        next: { ...(current ?? window()), results: { ...(current?.results ?? {}), [k]: true } }, result: null,
      }))));
      expect(Object.keys((await store.getWindow(key, 'multiple'))?.results ?? {}).sort()).toEqual(keys);
    });

    it('forgets the last date, the windows and the poll state of a deleted trigger', async () => {
      await store.claimScheduleDate(key, d(9));
      await store.updateWindow(key, 'multiple', () => ({ next: window({ a: true }), result: null }));
      await store.updatePollState(key, () => ({ seen: { 'a.csv': '1' } }));
      await store.deleteTrigger(key);
      expect(await store.getLastDate(key)).toBeUndefined();
      expect(await store.getWindow(key, 'multiple')).toBeNull();
      expect(await store.getPollState(key)).toBeNull();
    });

    it('has no poll state for a trigger that never polled, then keeps what the fold returned', async () => {
      expect(await store.getPollState(key)).toBeNull();
      await store.updatePollState(key, (current) => {
        expect(current).toBeNull();
        return { seen: { 'in/a.csv': '1', 'in/b.csv': '7' }, 'dotted.key': [1, { n: null }] };
      });
      expect(await store.getPollState(key)).toEqual({ seen: { 'in/a.csv': '1', 'in/b.csv': '7' }, 'dotted.key': [1, { n: null }] });
      await store.updatePollState(key, () => null);
      expect(await store.getPollState(key)).toBeNull();
    });

    it('loses no entry when poll states are folded concurrently', async () => {
      const names = ['a', 'b', 'c', 'd', 'e'];
      await Promise.all(names.map((n) => store.updatePollState(key, (current) => ({ seen: { ...((current?.seen as object) ?? {}), [n]: '1' } }))));
      expect(Object.keys(((await store.getPollState(key))?.seen as object) ?? {}).sort()).toEqual(names);
    });
  });
}
