import { RandomIds, SystemClock, TimeOrderedIds, kestraId } from '../../../../lib/adapters/local';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The UUID a 22-character id writes, as 32 hex digits. */
const uuidOf = (id: string): string => [...id].reduce((n, c) => n * 62n + BigInt(ALPHABET.indexOf(c)), 0n).toString(16).padStart(32, '0');

describe('kestraId', () => {
  it('writes a UUID as 22 base-62 characters', () => {
    expect(kestraId('00000000-0000-0000-0000-000000000000')).toBe('0'.repeat(22));
    expect(kestraId('00000000-0000-0000-0000-00000000003d')).toBe(`${'0'.repeat(21)}z`);
    expect(kestraId('00000000-0000-0000-0000-00000000003e')).toBe(`${'0'.repeat(20)}10`);
    // 2^128 - 1 in base 62.
    expect(kestraId('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe('7n42DGM5Tflk9n8mt7Fhc7');
  });

  it('gives distinct url-safe ids', () => {
    const ids = new RandomIds();
    const seen = new Set(Array.from({ length: 1000 }, () => ids.next()));
    expect(seen.size).toBe(1000);
    for (const id of seen) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
  });
});

describe('TimeOrderedIds', () => {
  const clockAt = (times: number[]): { now(): Date } => {
    let i = 0;
    return { now: () => new Date(times[Math.min(i++, times.length - 1)]) };
  };

  it('writes UUIDv7s: the creation millisecond, version 7 and the RFC variant', () => {
    const ms = Date.UTC(2026, 11, 6, 18, 30);
    const hex = uuidOf(new TimeOrderedIds(clockAt([ms])).next());
    expect(parseInt(hex.slice(0, 12), 16)).toBe(ms);
    expect(hex[12]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(hex[16]);
  });

  it('gives ids that sort in creation order, within a millisecond, across them, and when the clock steps back', () => {
    const ms = Date.UTC(2026, 0, 1);
    const times = [...Array(5000).fill(ms), ms + 1, ms + 1, ms - 50, ms + 2];
    const ids = new TimeOrderedIds(clockAt(times));
    const made = times.map(() => ids.next());
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
    for (const id of made) expect(id).toMatch(/^[0-9A-Za-z]{22}$/);
  });
});

describe('SystemClock', () => {
  it('tells the current time', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
  });
});
