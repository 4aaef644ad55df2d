import { RandomIds, SystemClock, kestraId } from '../../../../lib/adapters/local';

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

describe('SystemClock', () => {
  it('tells the current time', () => {
    const before = Date.now();
    const now = new SystemClock().now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
  });
});
