import { checkKvKey, inferKvType, kvExpiry, toKvValue } from '../../../lib/model/kv';

describe('key-value entries', () => {
  it('accepts Kestra\'s keys and refuses others, naming the key', () => {
    expect(checkKvKey('my_key.v-2')).toBe('my_key.v-2');
    for (const bad of ['', '.hidden', '-x', 'a/b', '../x', 'a b', 'x'.repeat(256)]) {
      expect(() => checkKvKey(bad, { property: 'key' })).toThrow(expect.objectContaining({ code: 'INPUT_INVALID', location: { property: 'key' } }));
    }
  });

  it('infers the type of a value as Kestra does', () => {
    expect([inferKvType('s'), inferKvType(1.5), inferKvType(true), inferKvType({ a: 1 }), inferKvType([1]), inferKvType(null)])
      .toEqual(['STRING', 'NUMBER', 'BOOLEAN', 'JSON', 'JSON', 'STRING']);
  });

  it('converts values to their kvType, or fails naming the type', () => {
    expect(toKvValue('NUMBER', ' 42 ')).toBe(42);
    expect(toKvValue('BOOLEAN', 'false')).toBe(false);
    expect(toKvValue('STRING', { a: 1 })).toBe('{"a":1}');
    expect(toKvValue('DATETIME', '2026-01-10T09:00:00+01:00')).toBe('2026-01-10T08:00:00.000Z');
    expect(toKvValue('DATE', '2026-01-10')).toBe('2026-01-10');
    expect(toKvValue('DURATION', 'PT5M')).toBe('PT5M');
    expect(toKvValue('JSON', '[1, {"b": null}]')).toEqual([1, { b: null }]);
    for (const [type, value] of [['NUMBER', ''], ['BOOLEAN', 'yes'], ['DATETIME', 'soon'], ['DATE', '10/01/2026'], ['DURATION', '5 minutes'], ['JSON', '{']] as const) {
      expect(() => toKvValue(type, value)).toThrow(`is not a ${type}`);
    }
  });

  it('gives the expiry of a ttl from now, and refuses a ttl that is not a positive duration', () => {
    const now = new Date('2026-01-10T08:00:00.000Z');
    expect(kvExpiry('PT1H', now)).toBe('2026-01-10T09:00:00.000Z');
    expect(kvExpiry(undefined, now)).toBeUndefined();
    expect(() => kvExpiry('PT0S', now, { property: 'ttl' })).toThrow("ttl 'PT0S' is not a positive ISO-8601 duration");
  });
});
