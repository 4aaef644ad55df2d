// The automatic retry policy of BigQuery tasks: Kestra's defaults, which failures it retries, and the delays.
import {
  DEFAULT_RETRY_AUTO, DEFAULT_RETRY_MESSAGES, DEFAULT_RETRY_REASONS, isRetryable, nextDelayMs, retrySettings,
} from '../../../../lib/plugins/gcp/bigquery/retry';

const defaults = retrySettings({});
const failure = (reason: string, message: string, transport = false) => ({ errors: [{ reason, message }], transport });

describe('BigQuery automatic retry policy', () => {
  it('defaults to Kestra\'s retryAuto, retryReasons and retryMessages exactly', () => {
    expect(DEFAULT_RETRY_AUTO).toEqual({ type: 'exponential', interval: 'PT5S', maxInterval: 'PT60M', maxDuration: 'PT15M', maxAttempt: 10 });
    expect(DEFAULT_RETRY_REASONS).toEqual(['rateLimitExceeded', 'jobBackendError', 'backendError', 'internalError', 'jobInternalError']);
    expect(DEFAULT_RETRY_MESSAGES).toEqual(['due to concurrent update', 'Retrying the job may solve the problem', 'Retrying may solve the problem']);
    expect(defaults).toEqual({ policy: DEFAULT_RETRY_AUTO, reasons: DEFAULT_RETRY_REASONS, messages: DEFAULT_RETRY_MESSAGES });
  });

  it.each([
    ['rateLimitExceeded', 'Exceeded rate limits', true],
    ['jobBackendError', 'x', true],
    ['backendError', 'x', true],
    ['internalError', 'x', true],
    ['jobInternalError', 'x', true],
    ['invalid', 'Could not serialize access to table due to concurrent update', true],
    ['invalid', 'Transaction is aborted DUE TO CONCURRENT UPDATE against table', true],
    ['internalError2', 'An internal error occurred. retrying the job may solve the problem.', true],
    ['backendErrorX', 'Unexpected. Retrying may solve the problem.', true],
    ['invalidQuery', 'Syntax error: Unexpected identifier "SELEC" at [1:1]', false],
    ['notFound', 'Not found: Table p:d.t', false],
    ['accessDenied', 'Access Denied: Project p', false],
    ['stopped', 'Job execution was cancelled: User requested cancellation', false],
  ])('a failure with reason %s and message "%s" is retried: %s', (reason, message, expected) => {
    expect(isRetryable(failure(reason, message), defaults)).toBe(expected);
  });

  it('retries when any of the errors matches, and always when no answer came (the job id makes it safe)', () => {
    expect(isRetryable({ errors: [{ reason: 'invalid', message: 'x' }, { reason: 'backendError', message: 'y' }], transport: false }, defaults)).toBe(true);
    expect(isRetryable(failure('ECONNRESET', 'socket hang up', true), defaults)).toBe(true);
  });

  it.each([
    // made, elapsed ms, delay ms (undefined: give up)
    [1, 0, 5_000],
    [2, 5_000, 10_000],
    [3, 15_000, 20_000],
    [4, 35_000, 40_000],
    [5, 75_000, 80_000],
    [6, 155_000, 160_000],
    [7, 315_000, 320_000],
    [8, 635_000, 265_000], // cut to what is left of maxDuration (15 min)
    [9, 899_000, 1_000],
    [9, 900_000, undefined], // maxDuration spent
    [10, 0, undefined], // maxAttempt (10) spent
  ])('with the default policy, after %i failed tries and %i ms the next delay is %s ms', (made, elapsed, delay) => {
    expect(nextDelayMs(DEFAULT_RETRY_AUTO, made, elapsed, 'seed')).toBe(delay);
  });

  it('exponential delays stop growing at maxInterval, and a constant policy keeps its interval', () => {
    const capped = { type: 'exponential', interval: 'PT1S', maxInterval: 'PT3S', maxAttempt: 10 } as const;
    expect([1, 2, 3, 4].map((n) => nextDelayMs(capped, n, 0, 's'))).toEqual([1000, 2000, 3000, 3000]);
    const constant = { type: 'constant', interval: 'PT2S', maxAttempt: 3 } as const;
    expect([1, 2, 3].map((n) => nextDelayMs(constant, n, 0, 's'))).toEqual([2000, 2000, undefined]);
  });
});
