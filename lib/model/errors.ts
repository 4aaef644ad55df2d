// Errors are a closed, serializable set classified by `code`, never by `instanceof`:
// they cross processes (worker -> Pub/Sub -> executor) as plain JSON.

export const ErrorCode = {
  FLOW_INVALID: 'FLOW_INVALID',
  YAML_INVALID: 'YAML_INVALID',
  INPUT_INVALID: 'INPUT_INVALID',
  EXPRESSION: 'EXPRESSION',
  TASK_FAILED: 'TASK_FAILED',
  TIMEOUT: 'TIMEOUT',
  KILLED: 'KILLED',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  STORAGE_FORBIDDEN: 'STORAGE_FORBIDDEN',
  STORAGE_NOT_FOUND: 'STORAGE_NOT_FOUND',
  MESSAGE_INVALID: 'MESSAGE_INVALID',
  SUBFLOW_INVALID: 'SUBFLOW_INVALID',
  NOT_IMPLEMENTED: 'NOT_IMPLEMENTED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** Another process owns the data directory (the embedded runtime's durable store). */
  DATA_DIR_LOCKED: 'DATA_DIR_LOCKED',
  /** The flow's `concurrency.limit` was reached and its behavior is FAIL. */
  CONCURRENCY_LIMIT: 'CONCURRENCY_LIMIT',
  /** A flow's `checks` failed when a person started it: blocked (BLOCK_EXECUTION) or created FAILED (FAIL_EXECUTION). */
  CHECK_FAILED: 'CHECK_FAILED',
  INFRA_RETRYABLE: 'INFRA_RETRYABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Where an error points in the user's flow. Every field is optional; fill what is known. */
export interface ErrorLocation {
  file?: string;
  flow?: string; // namespace.id
  task?: string;
  property?: string; // a path such as tasks[2].sql
  line?: number;
  column?: number;
}

export interface AloftErrorData extends ErrorLocation {
  code: ErrorCode;
  message: string;
  hint?: string;
}

export class AloftError extends Error {
  readonly code: ErrorCode;
  readonly location: ErrorLocation;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, location: ErrorLocation = {}, hint?: string) {
    super(message);
    this.name = 'AloftError';
    this.code = code;
    this.location = location;
    this.hint = hint;
  }
  toJSON(): AloftErrorData {
    return { code: this.code, message: this.message, ...this.location, ...(this.hint ? { hint: this.hint } : {}) };
  }
}

/** Several problems at once (every invalid property of a flow, every bad input), each with its own location. */
export class DiagnosticsError extends AloftError {
  readonly diagnostics: AloftErrorData[];
  constructor(code: ErrorCode, diagnostics: AloftErrorData[], location: ErrorLocation = {}) {
    super(code, diagnostics.map(formatError).join('\n') || code, location);
    this.diagnostics = diagnostics;
  }
}

/** The diagnostics an error carries, recognised by shape (errors cross processes as JSON), or undefined. */
export function diagnosticsOf(err: unknown): AloftErrorData[] | undefined {
  const d = (err as { diagnostics?: unknown } | undefined)?.diagnostics;
  return Array.isArray(d) && d.length > 0 ? (d as AloftErrorData[]) : undefined;
}

/** HTTP status for each code; exhaustive, so a new code cannot be forgotten. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  FLOW_INVALID: 422, YAML_INVALID: 422, INPUT_INVALID: 422, EXPRESSION: 422, TASK_FAILED: 500, TIMEOUT: 504,
  KILLED: 409, NOT_FOUND: 404, CONFLICT: 409, STORAGE_FORBIDDEN: 403, STORAGE_NOT_FOUND: 404, MESSAGE_INVALID: 400,
  SUBFLOW_INVALID: 422, NOT_IMPLEMENTED: 501, NOT_SUPPORTED: 422, UNAUTHORIZED: 401, FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413, CONFIG_INVALID: 500, DATA_DIR_LOCKED: 409, CONCURRENCY_LIMIT: 429, CHECK_FAILED: 422, INFRA_RETRYABLE: 503, INTERNAL: 500,
};

/**
 * The one table of retryable infrastructure failures: gRPC status names/numbers and Node socket
 * errors that mean "try again", whatever client raised them.
 */
export const RETRYABLE_INFRA: ReadonlySet<string | number> = new Set<string | number>([
  'ABORTED', 10, 'UNAVAILABLE', 14, 'DEADLINE_EXCEEDED', 4, 'RESOURCE_EXHAUSTED', 8, 'INTERNAL', 13,
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  429, 502, 503, 504,
]);

export function isRetryableInfra(err: unknown): boolean {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; status?: unknown };
    if (e.code === ErrorCode.INFRA_RETRYABLE) return true;
    for (const v of [e.code, e.status]) if ((typeof v === 'string' || typeof v === 'number') && RETRYABLE_INFRA.has(v)) return true;
  }
  return false;
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** Maps anything thrown onto the closed set, keeping a known code and location when present. */
export function toErrorData(err: unknown, fallback: ErrorCode = ErrorCode.INTERNAL): AloftErrorData {
  if (err && typeof err === 'object') {
    const e = err as Partial<AloftErrorData> & { message?: unknown; location?: ErrorLocation; toJSON?: () => unknown };
    if (typeof e.code === 'string' && CODES.has(e.code)) {
      const loc = e.location ?? pickLocation(e);
      return { code: e.code as ErrorCode, message: String(e.message ?? e.code), ...loc, ...(e.hint ? { hint: e.hint } : {}) };
    }
    if (isRetryableInfra(err)) return { code: ErrorCode.INFRA_RETRYABLE, message: String(e.message ?? 'infrastructure error') };
    if (typeof e.message === 'string') return { code: fallback, message: e.message };
  }
  return { code: fallback, message: String(err) };
}

function pickLocation(e: ErrorLocation): ErrorLocation {
  const out: ErrorLocation = {};
  for (const k of ['file', 'flow', 'task', 'property', 'line', 'column'] as const) if (e[k] !== undefined) (out as any)[k] = e[k];
  return out;
}

/** One line for people: `file:line:col: flow f, task t, property p: message`. */
export function formatError(e: AloftErrorData): string {
  const where: string[] = [];
  if (e.file) where.push(`${e.file}${e.line ? `:${e.line}${e.column ? `:${e.column}` : ''}` : ''}`);
  else if (e.line) where.push(`line ${e.line}${e.column ? `:${e.column}` : ''}`);
  const ctx: string[] = [];
  if (e.flow) ctx.push(`flow ${e.flow}`);
  if (e.task) ctx.push(`task ${e.task}`);
  if (e.property) ctx.push(`property ${e.property}`);
  const head = [where.join(''), ctx.join(', ')].filter(Boolean).join(': ');
  return `${head ? `${head}: ` : ''}${e.message}${e.hint ? ` (${e.hint})` : ''}`;
}
