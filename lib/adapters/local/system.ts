// The real clock and Kestra-style ids.
import { randomFillSync } from 'node:crypto';
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
export function kestraId(uuid?: string): string {
  const w = [0, 0, 0, 0];
  if (uuid === undefined) randomWords(w);
  else {
    const hex = uuid.replace(/-/g, '');
    for (let i = 0; i < 4; i++) w[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
  }
  // Long division of the 128-bit value held in four 32-bit words: each step stays below 2^38,
  // exact in a double.
  const codes = new Array<number>(ID_LENGTH);
  for (let i = ID_LENGTH - 1; i >= 0; i--) {
    let rest = 0;
    for (let j = 0; j < 4; j++) {
      const cur = rest * 4294967296 + w[j];
      w[j] = Math.floor(cur / 62);
      rest = cur - w[j] * 62;
    }
    codes[i] = ALPHABET_CODES[rest];
  }
  return String.fromCharCode(...codes);
}

export class RandomIds implements Ids {
  next(): string {
    return kestraId();
  }
}
