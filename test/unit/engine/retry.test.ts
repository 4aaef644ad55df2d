import { DEFAULT_MAX_ATTEMPT, hash32, nextRetryDelay, retryDelayMs } from '../../../lib/engine/retry';
import type { TaskRun } from '../../../lib/model/execution';
import type { Retry } from '../../../lib/model/retry';

const run = (attempts: number, firstAt = '2024-01-01T00:00:00.000Z', internal?: Record<string, unknown>): TaskRun => ({
  id: 'tr1', executionId: 'e', namespace: 'n', flowId: 'f', taskId: 't',
  attempts: Array.from({ length: attempts }, (_, i) => ({ state: { current: 'FAILED' as const, histories: [{ state: 'CREATED' as const, date: i === 0 ? firstAt : '2024-01-01T00:00:05.000Z' }, { state: 'FAILED' as const, date: firstAt }] } })),
  state: { current: 'RUNNING', histories: [{ state: 'RUNNING', date: firstAt }] },
  ...(internal ? { internal } : {}),
});
const at = (iso: string) => new Date(iso);

describe('retryDelayMs', () => {
  it('waits the interval for a constant policy', () => {
    expect(retryDelayMs({ type: 'constant', interval: 'PT0.250S' }, 3, run(1))).toBe(250);
  });

  it('multiplies the interval by the delay factor for each retry, up to maxInterval', () => {
    const p: Retry = { type: 'exponential', interval: 'PT1S', maxInterval: 'PT5S' };
    expect([1, 2, 3, 4].map((n) => retryDelayMs(p, n, run(1)))).toEqual([1000, 2000, 4000, 5000]);
    expect(retryDelayMs({ ...p, delayFactor: 3 }, 2, run(1))).toBe(3000);
  });

  it('picks a random delay between min and max that depends only on the run and the retry number', () => {
    const p: Retry = { type: 'random', minInterval: 'PT1S', maxInterval: 'PT2S' };
    const a = retryDelayMs(p, 1, run(1));
    expect(a).toBeGreaterThanOrEqual(1000);
    expect(a).toBeLessThan(2000);
    expect(retryDelayMs(p, 1, run(1))).toBe(a);
    expect(hash32('tr1:1')).toBe(hash32('tr1:1'));
    expect(hash32('tr1:1')).not.toBe(hash32('tr1:2'));
  });
});

describe('nextRetryDelay', () => {
  const constant: Retry = { type: 'constant', interval: 'PT1S', maxAttempt: 3 };

  it('retries until maxAttempt attempts were made, counting the first', () => {
    const now = at('2024-01-01T00:00:01.000Z');
    expect(nextRetryDelay(constant, run(1), now)).toBe(1000);
    expect(nextRetryDelay(constant, run(2), now)).toBe(1000);
    expect(nextRetryDelay(constant, run(3), now)).toBeUndefined();
  });

  it('defaults to Failsafe\'s three attempts when maxAttempt is not set', () => {
    const p: Retry = { type: 'constant', interval: 'PT1S' };
    expect(DEFAULT_MAX_ATTEMPT).toBe(3);
    expect(nextRetryDelay(p, run(2), at('2024-01-01T00:00:01Z'))).toBe(1000);
    expect(nextRetryDelay(p, run(3), at('2024-01-01T00:00:01Z'))).toBeUndefined();
  });

  it('stops once maxDuration has passed since the first attempt, and shortens the last delay to fit', () => {
    const p: Retry = { type: 'constant', interval: 'PT10S', maxAttempt: 10, maxDuration: 'PT15S' };
    expect(nextRetryDelay(p, run(1), at('2024-01-01T00:00:01Z'))).toBe(10_000);
    expect(nextRetryDelay(p, run(2), at('2024-01-01T00:00:11Z'))).toBe(4000);
    expect(nextRetryDelay(p, run(3), at('2024-01-01T00:00:15Z'))).toBeUndefined();
  });

  it('counts only the attempts made since the last restart', () => {
    expect(nextRetryDelay(constant, run(4, undefined, { attemptBase: 3 }), at('2024-01-01T00:00:06Z'))).toBe(1000);
  });

  it('reads Kestra 0.24\'s maxAttempts as maxAttempt', () => {
    const p: Retry = { type: 'constant', interval: 'PT1S', maxAttempts: 2, behavior: 'RETRY_FAILED_TASK' };
    expect(nextRetryDelay(p, run(1), at('2024-01-01T00:00:01Z'))).toBe(1000);
    expect(nextRetryDelay(p, run(2), at('2024-01-01T00:00:01Z'))).toBeUndefined();
  });

  it('does not retry without a policy', () => {
    expect(nextRetryDelay(undefined, run(1), at('2024-01-01T00:00:01Z'))).toBeUndefined();
  });
});
