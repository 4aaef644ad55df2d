// Driver errors turned into the closed error set, with messages that say what failed and where.
// Connection failures are TASK_FAILED, not INFRA_RETRYABLE: a wrong URL or password does not heal by retrying.
import { AloftError, ErrorCode, type ErrorLocation } from '../../model/errors';

const CODES = new Set<string>(Object.values(ErrorCode));

/** An error that already belongs to the closed set (storage, rendering...) passes through. */
export const isAloftError = (err: unknown): err is AloftError =>
  !!err && typeof err === 'object' && typeof (err as AloftError).code === 'string' && CODES.has((err as AloftError).code);

/** What a task throws once its signal fired: the runtime's reason when it gave one. */
export function abortError(signal: AbortSignal): AloftError {
  return isAloftError(signal.reason) ? signal.reason : new AloftError(ErrorCode.KILLED, 'the task was stopped');
}

/** The driver's message with its code (SQLSTATE, ER_..., ORA-...) when it has one. */
export function describe(err: unknown, secrets: readonly (string | undefined)[] = []): string {
  let message: string;
  if (err && typeof err === 'object') {
    const e = err as { message?: unknown; code?: unknown; errors?: unknown[]; sqlMessage?: unknown };
    // AggregateError from a connect to several addresses: the first one says enough.
    const inner = !e.message && Array.isArray(e.errors) && e.errors.length > 0 ? (e.errors[0] as { message?: unknown }) : undefined;
    message = String(e.sqlMessage || e.message || inner?.message || err);
    const code = typeof e.code === 'string' || typeof e.code === 'number' ? String(e.code) : undefined;
    if (code && !message.includes(code)) message += ` (${code})`;
  } else message = String(err);
  for (const s of secrets) if (s && s.length >= 3) message = message.split(s).join('***');
  return message;
}

export function taskFailed(message: string, location: ErrorLocation = {}): AloftError {
  return new AloftError(ErrorCode.TASK_FAILED, message, location);
}
