// Retry policies as Kestra 0.x applies them (Failsafe): maxAttempt counts every attempt including
// the first (3 when unset, Failsafe's default), maxDuration runs from the first attempt of the
// current round, and each delay becomes a WakeUp. The engine has no randomness: a `random` delay is
// derived from a hash of the task run id and the attempt number.
import { parseDurationMs } from '../model/duration';
import type { TaskRun } from '../model/execution';
import type { Retry } from '../model/retry';
import { internalOf } from './state-ops';

/** Failsafe's default when `maxAttempt` is not set: two retries after the first attempt. */
export const DEFAULT_MAX_ATTEMPT = 3;

/** Internal key: the number of attempts made before the latest restart (a restart starts a new round). */
export const ATTEMPT_BASE = 'attemptBase';

/**
 * Internal key: how many attempts of the run were lost (their worker died, core/recovery.ts) since the
 * latest restart. As Kestra resends a dead worker's task, a lost attempt is run again whatever the retry
 * policy, and does not use up the policy's attempts: a kill never fails a task that would have succeeded.
 */
export const LOST_ATTEMPTS = 'lostAttempts';

/**
 * Lost attempts a run is given beyond its policy. Past them a task that takes its worker down each time
 * (memory, a crash) ends as its policy says, instead of being resent for ever.
 */
export const MAX_LOST_ATTEMPTS = 5;

/** Lost attempts of `run` that do not count against its retry policy. */
export const forgivenLost = (run: TaskRun): number => Math.min(internalOf<number>(run, LOST_ATTEMPTS) ?? 0, MAX_LOST_ATTEMPTS);

const ms = (d: string | undefined): number => (d === undefined ? 0 : parseDurationMs(d) ?? 0);

/** FNV-1a, 32 bits: a stable hash for deterministic "random" delays. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The delay before retry number `n` (1 for the first retry) of `run`. */
export function retryDelayMs(policy: Retry, n: number, run: Pick<TaskRun, 'id'>): number {
  switch (policy.type) {
    case 'constant':
      return ms(policy.interval);
    case 'exponential': {
      const factor = policy.delayFactor ?? 2;
      return Math.min(ms(policy.interval) * Math.pow(factor, n - 1), ms(policy.maxInterval));
    }
    case 'random': {
      const min = ms(policy.minInterval);
      const max = ms(policy.maxInterval);
      if (max <= min) return min;
      return min + (hash32(`${run.id}:${n}`) % (max - min));
    }
  }
}

/**
 * When the attempt that just failed may be retried, the delay before the next one; otherwise
 * undefined. Attempts made before a restart, and forgiven lost ones, do not count.
 */
export function nextRetryDelay(policy: Retry | undefined, run: TaskRun, now: Date): number | undefined {
  if (!policy) return undefined;
  const base = internalOf<number>(run, ATTEMPT_BASE) ?? 0;
  const made = run.attempts.length - base - forgivenLost(run);
  if (made < 1 || made >= (policy.maxAttempts ?? policy.maxAttempt ?? DEFAULT_MAX_ATTEMPT)) return undefined;
  let delay = retryDelayMs(policy, made, run);
  if (policy.maxDuration !== undefined) {
    const limit = ms(policy.maxDuration);
    const firstStart = Date.parse(run.attempts[base]?.state.histories[0]?.date ?? '');
    const elapsed = Number.isNaN(firstStart) ? 0 : now.getTime() - firstStart;
    if (elapsed >= limit) return undefined;
    delay = Math.min(delay, limit - elapsed);
  }
  return Math.max(0, delay);
}
