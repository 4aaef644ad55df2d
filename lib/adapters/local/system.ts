// The real clock and Kestra-style ids.
import { randomUUID } from 'node:crypto';
import type { Clock, Ids } from '../../ports/system';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 22;

/** A random UUID written in base 62, left-padded to 22 characters, as Kestra's IdUtils does. */
export function kestraId(uuid: string = randomUUID()): string {
  // Long division of the 128-bit value held in four 32-bit words: each step stays below 2^38,
  // exact in a double, and is about twice as fast as BigInt.
  const w = [
    parseInt(uuid.slice(0, 8), 16), parseInt(uuid.slice(9, 13) + uuid.slice(14, 18), 16),
    parseInt(uuid.slice(19, 23) + uuid.slice(24, 28), 16), parseInt(uuid.slice(28, 36), 16),
  ];
  let out = '';
  for (let i = 0; i < ID_LENGTH; i++) {
    let rest = 0;
    for (let j = 0; j < 4; j++) {
      const cur = rest * 4294967296 + w[j];
      w[j] = Math.floor(cur / 62);
      rest = cur - w[j] * 62;
    }
    out = ALPHABET[rest] + out;
  }
  return out;
}

export class RandomIds implements Ids {
  next(): string {
    return kestraId();
  }
}
