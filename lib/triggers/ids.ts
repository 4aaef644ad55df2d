// Execution ids derived from what started them, so a duplicate (two schedulers, a redelivered
// message, a re-published ExecutionEnded) finds the execution already there instead of making a second.
import { createHash } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A 22-character base-62 id (Kestra's shape) from the SHA-256 of the parts. */
export function derivedId(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  let n = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`);
  let out = '';
  for (let i = 0; i < 22; i++) {
    out = ALPHABET[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

/** The key of a trigger's state: `{namespace}:{flowId}:{triggerId}`. */
export const triggerKey = (namespace: string, flowId: string, triggerId: string): string => `${namespace}:${flowId}:${triggerId}`;
