import { RingSlot, StringRing } from '../../../../lib/adapters/sqlite/string-ring';

/** Reads the ring as the writer thread does: strings in order, by UTF-8 length, one that would cross the end from 0. */
function reader(ring: StringRing): { take(length: number): string; free(): void } {
  const bytes = Buffer.from(ring.bytes);
  const tail = new BigInt64Array(ring.counters);
  let read = 0;
  return {
    take(length) {
      let pos = read % bytes.length;
      if (pos + length > bytes.length) { read += bytes.length - pos; pos = 0; }
      read += length;
      return bytes.toString('utf8', pos, pos + length);
    },
    free: () => { Atomics.store(tail, RingSlot.TAIL, BigInt(read)); },
  };
}

describe('StringRing', () => {
  it('hands strings over by their UTF-8 length, in order, wrapping at its end', () => {
    const ring = new StringRing(64);
    const r = reader(ring);
    for (const s of ['a'.repeat(30), 'é✓'.repeat(5), 'b'.repeat(20), 'c'.repeat(40), 'x']) {
      const length = ring.put(s);
      expect(length).toBe(Buffer.byteLength(s));
      expect(r.take(length)).toBe(s);
      r.free();
    }
  });

  it('refuses a string while what the reader has not freed leaves no room, and one longer than the ring', () => {
    const ring = new StringRing(64);
    const r = reader(ring);
    expect(ring.put('a'.repeat(40))).toBe(40);
    expect(ring.put('b'.repeat(30))).toBe(-1);
    expect(ring.put('c'.repeat(65))).toBe(-1);
    expect(r.take(40)).toBe('a'.repeat(40));
    r.free();
    // Freed: the string starts again at 0 (it would cross the end), the 24 bytes skipped counting as read.
    expect(ring.put('b'.repeat(30))).toBe(30);
    expect(r.take(30)).toBe('b'.repeat(30));
  });
});
