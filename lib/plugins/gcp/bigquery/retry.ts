// Kestra's automatic retry of BigQuery jobs (AbstractBigquery.retryAuto, retryReasons, retryMessages),
// with its defaults exactly. Kestra 0.4 built this policy from the task's `retry` instead of
// `retryAuto` when retryAuto was set; here retryAuto is what applies, and `retry` stays the
// engine's (a new attempt of the task run once this policy gives up).
import { parseDurationMs } from '../../../model/duration';
import type { Retry } from '../../../model/retry';
import { DEFAULT_MAX_ATTEMPT, retryDelayMs } from '../../../engine/retry';
import type { BigQueryFailure } from './errors';

export const DEFAULT_RETRY_AUTO = {
  type: 'exponential', interval: 'PT5S', maxInterval: 'PT60M', maxDuration: 'PT15M', maxAttempt: 10,
} as const satisfies Retry;

export const DEFAULT_RETRY_REASONS = [
  'rateLimitExceeded', 'jobBackendError', 'backendError', 'internalError', 'jobInternalError',
] as const;

export const DEFAULT_RETRY_MESSAGES = [
  'due to concurrent update', 'Retrying the job may solve the problem', 'Retrying may solve the problem',
] as const;

export interface RetrySettings {
  policy: Retry;
  reasons: readonly string[];
  messages: readonly string[];
}

export function retrySettings(p: { retryAuto?: Retry; retryReasons?: string[]; retryMessages?: string[] }): RetrySettings {
  return {
    policy: p.retryAuto ?? DEFAULT_RETRY_AUTO,
    reasons: p.retryReasons ?? DEFAULT_RETRY_REASONS,
    messages: p.retryMessages ?? DEFAULT_RETRY_MESSAGES,
  };
}

/**
 * Whether a failure may heal by retrying: one of its errors has a listed reason, or a message that
 * contains a listed text (case-insensitive). A failure with no answer at all (connection reset) is
 * retried too; the job id makes that safe (./jobs.ts).
 */
export function isRetryable(f: Pick<BigQueryFailure, 'errors' | 'transport'>, s: Pick<RetrySettings, 'reasons' | 'messages'>): boolean {
  if (f.transport) return true;
  const texts = s.messages.map((m) => m.toLowerCase());
  return f.errors.some((e) => s.reasons.includes(e.reason) || texts.some((t) => e.message.toLowerCase().includes(t)));
}

/**
 * The delay before the next try once `made` tries failed, `elapsedMs` after the first started;
 * undefined when the policy is spent (Failsafe's rules: maxAttempt counts every try, and the last
 * delay is cut to what is left of maxDuration).
 */
export function nextDelayMs(policy: Retry, made: number, elapsedMs: number, seed: string): number | undefined {
  if (made >= (policy.maxAttempt ?? DEFAULT_MAX_ATTEMPT)) return undefined;
  let delay = retryDelayMs(policy, made, { id: seed });
  if (policy.maxDuration !== undefined) {
    const limit = parseDurationMs(policy.maxDuration) ?? 0;
    if (elapsedMs >= limit) return undefined;
    delay = Math.min(delay, limit - elapsedMs);
  }
  return Math.max(0, delay);
}
