// A small client of the Aloft HTTP API for the remote commands: any server, local or cloud.
import { AloftError, ErrorCode, toErrorData, type AloftErrorData } from '../model/errors';

export interface ApiClientOptions {
  server: string;
  token?: string;
}

/** Transport failures after which a request that changes nothing may be sent again. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const IDEMPOTENT = new Set(['GET', 'HEAD']);
/** Waits before the retries of an idempotent request whose connection was reset. */
const RETRY_DELAYS_MS = [100, 400];

const causeOf = (err: unknown): { code?: string; message?: string } | undefined => (err as { cause?: { code?: string; message?: string } }).cause;

export class ApiClient {
  private readonly base: string;

  constructor(private readonly opts: ApiClientOptions) {
    this.base = opts.server.replace(/\/+$/, '');
  }

  /** The JSON answer; a non-2xx answer throws an AloftError with the server's code, message and diagnostics. */
  async request<T = unknown>(method: string, path: string, body?: { json?: unknown; yaml?: string; form?: FormData }): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let payload: BodyInit | undefined;
    if (body?.json !== undefined) { payload = JSON.stringify(body.json); headers['content-type'] = 'application/json'; }
    if (body?.yaml !== undefined) { payload = body.yaml; headers['content-type'] = 'application/x-yaml'; }
    if (body?.form !== undefined) payload = body.form;
    let res: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        res = await fetch(`${this.base}${path}`, { method, headers, body: payload });
        break;
      } catch (err) {
        const cause = causeOf(err);
        // A kept-alive connection the server closed, or a server busy starting: a read is safe to send again.
        if (IDEMPOTENT.has(method) && RESET_CODES.has(cause?.code ?? '') && attempt < RETRY_DELAYS_MS.length) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
          continue;
        }
        throw new AloftError(ErrorCode.INFRA_RETRYABLE, `cannot reach ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const data = (parsed && typeof parsed === 'object' ? parsed : {}) as Partial<AloftErrorData> & { errors?: AloftErrorData[]; dependents?: string[] };
      const known = toErrorData(data.code ? data : { message: text || `HTTP ${res.status}` });
      const { code: _c, message: _m, hint, ...location } = known;
      const err = new AloftError(known.code, data.message ?? `HTTP ${res.status} ${res.statusText}`, location, hint);
      // A refused delete names the flows that depend on the one deleted.
      throw Object.assign(err, data.errors ? { diagnostics: data.errors } : {}, Array.isArray(data.dependents) ? { dependents: data.dependents } : {});
    }
    return parsed as T;
  }
}
