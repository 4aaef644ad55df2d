// The bytes of the long strings the main thread hands the writer thread (writer-thread.ts): a ring
// in shared memory. A string put here crosses as its UTF-8 length only; the writer reads the bytes
// back in the same order. postMessage copies a string through a serialisation buffer allocated per
// message, which cost the main thread several times what writing the bytes here costs.
//
// Both sides count bytes from the start (never wrapped): the main thread what it put, the writer
// what it read (`TAIL`, published after each part it ran). A string that would cross the ring's end
// starts at 0 instead, on both sides, the bytes skipped counting as put and read. A string that does
// not fit in what the writer has freed is not put: it crosses inline, as before.

/** Slots of the shared BigInt64Array beside the bytes. */
export const RingSlot = { TAIL: 0 } as const;

/** Shorter strings (ids, keys) cross inline: for them the copy costs less than a call here. */
export const RING_MIN_CHARS = 128;

export class StringRing {
  readonly bytes: SharedArrayBuffer;
  readonly counters: SharedArrayBuffer;
  private readonly buf: Buffer;
  private readonly tail: BigInt64Array;
  private readonly size: number;
  /** Bytes put since the start. */
  private head = 0;
  /** `head` may reach this without reading the writer's tail again. */
  private limit: number;

  constructor(size: number) {
    this.size = size;
    this.bytes = new SharedArrayBuffer(size);
    this.counters = new SharedArrayBuffer(8);
    this.buf = Buffer.from(this.bytes);
    this.tail = new BigInt64Array(this.counters);
    this.limit = size;
  }

  /** Puts the string's UTF-8 bytes after the last ones; its byte length, or -1 when it must cross inline. */
  put(s: string): number {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; the exact length costs a pass over the string.
    let pos = this.head % this.size;
    const max = s.length * 3;
    const length = max <= this.size - pos ? max : Buffer.byteLength(s, 'utf8');
    if (length > this.size) return -1;
    const skip = pos + length > this.size ? this.size - pos : 0;
    const end = this.head + skip + length;
    if (end > this.limit) {
      this.limit = Number(Atomics.load(this.tail, RingSlot.TAIL)) + this.size;
      if (end > this.limit) return -1;
    }
    if (skip > 0) pos = 0;
    const written = this.buf.write(s, pos, length, 'utf8');
    this.head += skip + written;
    return written;
  }
}
