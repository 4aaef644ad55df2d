// A failure the platform should retry (Eventarc and Pub/Sub deliver again after a non-2xx answer).
// functions-framework prints the thrown error's stack; the handlers already logged a structured line,
// so the stack is replaced by a one-line JSON record rather than a trace.
import { toErrorData } from '../../model/errors';

export function quietRetry(err: unknown): Error {
  const data = toErrorData(err);
  const e = new Error(`${data.code}: ${data.message}`);
  e.stack = JSON.stringify({ severity: 'WARNING', message: `delivered again after: ${data.message}`, code: data.code });
  return e;
}
