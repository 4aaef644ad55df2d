// Vertex AI's gRPC errors as task errors: Vertex's own status and message, with the property a user
// would fix (credentials for a refusal, the spec for an invalid argument).
import { AloftError, ErrorCode, type ErrorLocation } from '../../../model/errors';

const NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export const grpcCodeOf = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

/** Errors after which the same call may succeed: DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE. */
export const isTransient = (err: unknown): boolean => [4, 8, 10, 13, 14].includes(grpcCodeOf(err) ?? -1);

export const statusName = (code: number | null | undefined): string => NAMES[code ?? 2] ?? `code ${code}`;

/** The message of a gRPC error without the client's "7 PERMISSION_DENIED:" prefix. */
function detailsOf(err: unknown): string {
  const e = err as { details?: unknown; message?: unknown };
  const text = typeof e.details === 'string' && e.details ? e.details : String(e.message ?? err);
  return text.replace(/^\d+ [A-Z_]+: /, '');
}

export function vertexCallError(err: unknown, what: string, location: ErrorLocation): AloftError {
  if (err instanceof AloftError) return err;
  const code = grpcCodeOf(err);
  if (code === undefined) return new AloftError(ErrorCode.TASK_FAILED, `${what} failed: ${detailsOf(err)}`, location);
  const property = code === 7 || code === 16 ? 'serviceAccount' : code === 3 ? 'spec' : undefined;
  const hint = code === 7 ? ' (check that the service account may use Vertex AI in this project)' : '';
  return new AloftError(isTransient(err) ? ErrorCode.INFRA_RETRYABLE : ErrorCode.TASK_FAILED, `${what} failed: ${statusName(code)}: ${detailsOf(err)}${hint}`,
    { ...location, ...(property ? { property } : {}) });
}
