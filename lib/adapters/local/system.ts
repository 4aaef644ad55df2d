// The real clock and Kestra-style ids.
import { randomFillSync, randomInt } from 'node:crypto';
import type { Clock, Ids } from '../../ports/system';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 22;
const ALPHABET_CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));

// Random words come from a pooled buffer: one randomFillSync call per 256 ids instead of one UUID each.
let pool: Uint32Array | undefined;
let poolAt = 0;

function randomWords(w: number[]): void {
  if (!pool || poolAt >= pool.length) {
    pool = randomFillSync(pool ?? new Uint32Array(4 * 256));
    poolAt = 0;
  }
  w[0] = pool[poolAt];
  // Version 4 and variant bits, so the 128 bits are exactly a random UUID's.
  w[1] = ((pool[poolAt + 1] & 0xffff0fff) | 0x00004000) >>> 0;
  w[2] = ((pool[poolAt + 2] & 0x3fffffff) | 0x80000000) >>> 0;
  w[3] = pool[poolAt + 3];
  poolAt += 4;
}

/**
 * A UUID written in base 62, left-padded to 22 characters, as Kestra's IdUtils does; a new random
 * (version 4) UUID when none is given.
 */
export function kestraId(uuid?: string | readonly number[]): string {
  const w = WORDS;
  if (uuid === undefined) randomWords(w);
  else if (typeof uuid !== 'string') for (let i = 0; i < 4; i++) w[i] = uuid[i];
  else {
    const hex = uuid.replace(/-/g, '');
    for (let i = 0; i < 4; i++) w[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }
  // Long division of the 128-bit value held in four 32-bit words: each step stays below 2^38,
  // exact in a double.
  const codes = CODES;
  for (let i = ID_LENGTH - 1; i >= 0; i--) {
    let rest = 0;
    for (let j = 0; j < 4; j++) {
      const cur = rest * 4294967296 + w[j];
      w[j] = Math.floor(cur / 62);
      rest = cur - w[j] * 62;
    }
    codes[i] = ALPHABET_CODES[rest];
  }
  const c = codes;
  return String.fromCharCode(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15], c[16], c[17], c[18], c[19], c[20], c[21]);
}

// Scratch space of kestraId, which runs to its end without yielding: an id per task run allocates only its string.
const WORDS = [0, 0, 0, 0];
const CODES = new Array<number>(ID_LENGTH).fill(0);

export class RandomIds implements Ids {
  next(): string {
    return kestraId();
  }
}

/**
 * Ids that sort by creation time: UUIDv7 (RFC 9562: 48-bit Unix milliseconds, a 12-bit counter
 * within the millisecond, 62 random bits) written as `kestraId` writes a UUID, whose alphabet is in
 * ASCII order, so the ids sort as their UUIDs do. The embedded runtime's SQLite tables are keyed by
 * execution id: time-ordered keys are appended to the B-trees' last pages instead of dirtying a page
 * anywhere in them, which is most of what a commit writes. The cloud keeps random ids: Firestore
 * spreads load by key, and monotonic document ids make hotspots.
 */
export class TimeOrderedIds implements Ids {
  private lastMs = -1;
  private counter = 0;
  private readonly w = [0, 0, 0, 0];

  constructor(private readonly clock: Clock) {}

  next(): string {
    // The system clock's milliseconds without a Date: an id is made per task run.
    let ms = this.clock.constructor === SystemClock ? Date.now() : this.clock.now().getTime();
    if (ms <= this.lastMs) {
      // The same millisecond (or a clock that stepped back): count on from the last id.
      ms = this.lastMs;
      if (++this.counter > 0xfff) { ms++; this.counter = 0; }
    } else {
      // A random start leaves room to count and keeps the ids of one millisecond unguessable.
      this.counter = randomInt(0x800);
    }
    this.lastMs = ms;
    const w = this.w;
    randomWords(w);
    w[0] = Math.floor(ms / 65536) >>> 0;
    w[1] = (((ms % 65536) << 16) | 0x7000 | this.counter) >>> 0;
    return kestraId(w);
  }
}
