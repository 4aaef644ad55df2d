import { MemoryKeyValueStore } from '../../../lib/adapters/local/key-value-store';
import { kvService, typedBody } from '../../../lib/api/kv-service';

const now = new Date('2026-01-10T08:00:00.000Z');
const clock = { now: () => now };

describe('kv service', () => {
  it('types a text body as Kestra does', () => {
    expect(typedBody('42')).toEqual({ type: 'NUMBER', value: 42 });
    expect(typedBody('true')).toEqual({ type: 'BOOLEAN', value: true });
    expect(typedBody('{"a": [1]}')).toEqual({ type: 'JSON', value: { a: [1] } });
    expect(typedBody('"quoted"')).toEqual({ type: 'STRING', value: 'quoted' });
    expect(typedBody('2026-01-10')).toEqual({ type: 'DATE', value: '2026-01-10' });
    expect(typedBody('2026-01-10T09:00:00+01:00')).toEqual({ type: 'DATETIME', value: '2026-01-10T08:00:00.000Z' });
    expect(typedBody('PT1H30M')).toEqual({ type: 'DURATION', value: 'PT1H30M' });
    expect(typedBody('Plain words')).toEqual({ type: 'STRING', value: 'Plain words' });
  });

  it('refuses a value nested deeper than 1,000 levels with MESSAGE_INVALID, and keeps one at 1,000', () => {
    const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    expect(() => typedBody(nested(50_000))).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID', message: 'the value is nested deeper than 1000 levels' }));
    expect(typedBody(nested(1000)).type).toBe('JSON');
  });

  it('sets with a ttl, reads the typed value, lists and deletes', async () => {
    const store = new MemoryKeyValueStore();
    const kv = kvService(store, clock);
    await kv.set('company.team', 'n', '7', 'PT1M');
    expect(await kv.get('company.team', 'n')).toEqual({ type: 'NUMBER', value: 7 });
    expect(await kv.list('company.team')).toEqual([
      { key: 'n', type: 'NUMBER', creationDate: now.toISOString(), updateDate: now.toISOString(), expirationDate: '2026-01-10T08:01:00.000Z' },
    ]);
    expect(await kv.delete('company.team', 'n')).toBe(true);
    await expect(kv.get('company.team', 'n')).rejects.toMatchObject({ code: 'NOT_FOUND', message: "key 'n' not found in namespace company.team" });
  });

  it('refuses a bad namespace, key or ttl with MESSAGE_INVALID naming it', async () => {
    const kv = kvService(new MemoryKeyValueStore(), clock);
    await expect(kv.get('../etc', 'k')).rejects.toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining("namespace '../etc'") });
    await expect(kv.get('company', '..')).rejects.toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining('invalid key-value key ".."') });
    await expect(kv.set('company', 'k', '1', 'soon')).rejects.toMatchObject({ code: 'MESSAGE_INVALID', message: expect.stringContaining("ttl header: ttl 'soon'") });
  });
});
