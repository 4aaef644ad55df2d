// The KeyValueStore contract, run against memory, SQLite and Firestore (emulator).
import type { KeyValueStore } from '../../../lib/ports/key-value-store';
import { unique } from './helpers';

export interface KeyValueStoreFixture {
  store: KeyValueStore;
  cleanup(): Promise<void>;
}

const t0 = new Date(Date.UTC(2026, 0, 10, 8, 0));
const later = (ms: number): Date => new Date(t0.getTime() + ms);

export function keyValueStoreContract(name: string, make: () => Promise<KeyValueStoreFixture>): void {
  describe(`KeyValueStore contract: ${name}`, () => {
    let fx: KeyValueStoreFixture;
    let store: KeyValueStore;
    let ns: string;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
      ns = `io.aloft.${unique('kv').replace('-', '')}`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('has nothing for a key it never saw', async () => {
      expect(await store.get(ns, 'missing', t0)).toBeUndefined();
      expect(await store.listKeys(ns, t0)).toEqual([]);
    });

    it('reads back a value with its type, description and dates', async () => {
      expect(await store.set(ns, { key: 'conf', value: { a: [1, 'x'], b: null }, type: 'JSON', description: 'settings' }, { overwrite: true, now: t0 })).toBe(true);
      expect(await store.get(ns, 'conf', later(1))).toEqual({
        key: 'conf', value: { a: [1, 'x'], b: null }, type: 'JSON', description: 'settings',
        creationDate: t0.toISOString(), updateDate: t0.toISOString(),
      });
    });

    it('keeps each type of value as it was stored', async () => {
      const values = [['s', 'text', 'STRING'], ['n', 12.5, 'NUMBER'], ['b', false, 'BOOLEAN'], ['d', '2026-01-10', 'DATE']] as const;
      for (const [key, value, type] of values) await store.set(ns, { key, value, type }, { overwrite: true, now: t0 });
      for (const [key, value, type] of values) expect(await store.get(ns, key, t0)).toMatchObject({ value, type });
    });

    it('overwrites a value, keeping its creation date, and drops what the new entry lacks', async () => {
      await store.set(ns, { key: 'k', value: 1, type: 'NUMBER', description: 'old', expirationDate: later(60_000).toISOString() }, { overwrite: true, now: t0 });
      expect(await store.set(ns, { key: 'k', value: 'two', type: 'STRING' }, { overwrite: true, now: later(1000) })).toBe(true);
      expect(await store.get(ns, 'k', later(120_000))).toEqual({
        key: 'k', value: 'two', type: 'STRING', creationDate: t0.toISOString(), updateDate: later(1000).toISOString(),
      });
    });

    it('keeps a live value when told not to overwrite it', async () => {
      await store.set(ns, { key: 'k', value: 'first', type: 'STRING' }, { overwrite: false, now: t0 });
      expect(await store.set(ns, { key: 'k', value: 'second', type: 'STRING' }, { overwrite: false, now: later(1) })).toBe(false);
      expect((await store.get(ns, 'k', later(2)))?.value).toBe('first');
    });

    it('treats an expired value as absent: not read, not listed, replaced even without overwrite', async () => {
      await store.set(ns, { key: 'k', value: 'old', type: 'STRING', expirationDate: later(1000).toISOString() }, { overwrite: true, now: t0 });
      expect((await store.get(ns, 'k', later(999)))?.value).toBe('old');
      expect(await store.get(ns, 'k', later(1000))).toBeUndefined();
      expect(await store.listKeys(ns, later(1000))).toEqual([]);
      expect(await store.set(ns, { key: 'k', value: 'new', type: 'STRING' }, { overwrite: false, now: later(2000) })).toBe(true);
      expect(await store.get(ns, 'k', later(3000))).toMatchObject({ value: 'new', creationDate: later(2000).toISOString() });
    });

    it('lists the keys of a namespace sorted, with a prefix taken literally', async () => {
      for (const key of ['b_1', 'a', 'bx1', 'b_2']) await store.set(ns, { key, value: key, type: 'STRING' }, { overwrite: true, now: t0 });
      expect((await store.listKeys(ns, t0)).map((k) => k.key)).toEqual(['a', 'b_1', 'b_2', 'bx1']);
      expect((await store.listKeys(ns, t0, 'b_')).map((k) => k.key)).toEqual(['b_1', 'b_2']);
      expect((await store.listKeys(ns, t0))[0]).toEqual({ key: 'a', type: 'STRING', creationDate: t0.toISOString(), updateDate: t0.toISOString() });
    });

    it('keeps namespaces apart, including a namespace and its child', async () => {
      await store.set(ns, { key: 'k', value: 'parent', type: 'STRING' }, { overwrite: true, now: t0 });
      await store.set(`${ns}.child`, { key: 'k', value: 'child', type: 'STRING' }, { overwrite: true, now: t0 });
      expect((await store.get(ns, 'k', t0))?.value).toBe('parent');
      expect((await store.get(`${ns}.child`, 'k', t0))?.value).toBe('child');
      expect(await store.listKeys(ns, t0)).toHaveLength(1);
      await store.delete(`${ns}.child`, 'k', t0);
    });

    it('deletes a key once, and says whether a live one was there', async () => {
      await store.set(ns, { key: 'k', value: 1, type: 'NUMBER' }, { overwrite: true, now: t0 });
      expect(await store.delete(ns, 'k', t0)).toBe(true);
      expect(await store.delete(ns, 'k', t0)).toBe(false);
      expect(await store.get(ns, 'k', t0)).toBeUndefined();
      await store.set(ns, { key: 'gone', value: 1, type: 'NUMBER', expirationDate: later(10).toISOString() }, { overwrite: true, now: t0 });
      expect(await store.delete(ns, 'gone', later(20))).toBe(false);
    });

    it('stores a value bigger than a Firestore document (1.2 MB) and reads it back whole', async () => {
      const big = { rows: Array.from({ length: 12_000 }, (_, i) => `${i}`.padStart(100, 'x')) };
      await store.set(ns, { key: 'big', value: big, type: 'JSON' }, { overwrite: true, now: t0 });
      expect((await store.get(ns, 'big', t0))?.value).toEqual(big);
      await store.set(ns, { key: 'big', value: 'small now', type: 'STRING' }, { overwrite: true, now: later(1) });
      expect((await store.get(ns, 'big', later(2)))?.value).toBe('small now');
      expect(await store.delete(ns, 'big', later(3))).toBe(true);
    });

    it('lets exactly one of concurrent non-overwriting writers set a key', async () => {
      const wins = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        store.set(ns, { key: 'once', value: i, type: 'NUMBER' }, { overwrite: false, now: t0 })));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await store.get(ns, 'once', t0))?.value).toBe(wins.indexOf(true));
    });
  });
}
