// BigQuery's errors as the tasks see them: a list of {reason, message} (a job's errorResult and
// errors, or an HTTP error's body), or a transport failure that has none. The retry policy reads
// reasons and messages; users read the task error, which quotes Google's reason and message.
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';

export interface BigQueryErrorItem {
  reason: string;
  message: string;
  location?: string;
}

export class BigQueryFailure extends Error {
  constructor(
    message: string,
    readonly errors: readonly BigQueryErrorItem[],
    /** The HTTP status, when the failure came as an HTTP answer. */
    readonly status?: number,
    /** A failure with no answer (connection reset, timeout): the request may or may not have happened. */
    readonly transport = false,
  ) {
    super(message);
    this.name = 'BigQueryFailure';
  }
}

const item = (e: { reason?: unknown; message?: unknown; location?: unknown }): BigQueryErrorItem => ({
  reason: typeof e.reason === 'string' ? e.reason : 'unknown',
  message: typeof e.message === 'string' ? e.message : '',
  ...(typeof e.location === 'string' ? { location: e.location } : {}),
});

/** An error thrown by the client library (an ApiError with `code` and `errors`, or a socket error). */
export function failureOf(err: unknown): BigQueryFailure {
  if (err instanceof BigQueryFailure) return err;
  const e = (err ?? {}) as { code?: unknown; errors?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.code === 'number') {
    const errors = Array.isArray(e.errors) && e.errors.length > 0 ? e.errors.map(item) : [{ reason: `http${e.code}`, message }];
    return new BigQueryFailure(message, errors, e.code);
  }
  // No HTTP answer: the request may have reached BigQuery, so whoever retries must not duplicate work.
  return new BigQueryFailure(message, [{ reason: typeof e.code === 'string' ? e.code : 'transport', message }], undefined, true);
}

/** A finished job's errors (errorResult first, then the others), or undefined when it succeeded. */
export function jobFailure(job: { jobReference?: { jobId?: string }; status?: { errorResult?: object; errors?: object[] } }): BigQueryFailure | undefined {
  const result = job.status?.errorResult;
  if (!result) return undefined;
  const first = item(result);
  const rest = (job.status?.errors ?? []).map(item).filter((e) => e.reason !== first.reason || e.message !== first.message);
  return new BigQueryFailure(first.message, [first, ...rest]);
}

/** What the user reads: Google's reasons and messages, with the task and property when known. */
export function taskError(f: BigQueryFailure, what: string, location: ErrorLocation): AloftError {
  const details = f.errors.map((e) => `${e.reason}: ${e.message}`).join('; ');
  // A project that does not exist (or that the credentials may not use) is the projectId's fault.
  const project = f.errors.some((e) => /^(Not found|Access Denied): Project /.test(e.message));
  return new AloftError(ErrorCode.TASK_FAILED, `${what} failed: ${details || f.message}`, project ? { ...location, property: 'projectId' } : location);
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** What a task throws once its signal fired: the runtime's reason when it gave one. */
export function abortError(signal: AbortSignal): AloftError {
  const reason = signal.reason as { code?: unknown } | undefined;
  if (reason instanceof AloftError) return reason;
  if (reason && typeof reason.code === 'string' && CODES.has(reason.code)) return reason as AloftError;
  return new AloftError(ErrorCode.KILLED, 'the task was stopped');
}

/** Waits, unless the task is stopped first (then rejects with abortError). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError(signal));
    const onAbort = () => { clearTimeout(timer); reject(abortError(signal)); };
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
