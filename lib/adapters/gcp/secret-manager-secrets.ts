// Secrets from Secret Manager, with the local fallback: `secret('DB_PASSWORD')` reads the latest
// version of secret DB_PASSWORD in the project; when Secret Manager has no such secret, the base64 of
// SECRET_DB_PASSWORD in the environment is used, as Kestra's open-source edition does.
// It speaks Secret Manager's REST API (GET …/secrets/{name}/versions/latest:access): one request per
// lookup, and an endpoint that a test can point at a fake on loopback (no emulator exists).
// Secret values never appear in errors or logs.
import type { GoogleAuth } from 'google-auth-library';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Secrets } from '../../ports/system';
import { authLib } from './clients';

export interface SecretManagerSecretsOptions {
  projectId: string;
  /** Default https://secretmanager.googleapis.com. */
  endpoint?: string;
  /** An OAuth access token for the API. Default: Application Default Credentials (the function's service account). */
  accessToken?: () => Promise<string>;
  /** The environment for the SECRET_<NAME> fallback. */
  env?: Readonly<Record<string, string | undefined>>;
  /** How long a value is reused before it is read again. Default 60 s; 0 disables the cache. */
  cacheTtlMs?: number;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

/** Secret Manager's rule for secret ids; anything else cannot exist there (and must not reach the URL). */
const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/;

interface AccessResponse {
  payload?: { data?: string };
}

export class SecretManagerSecrets implements Secrets {
  private readonly endpoint: string;
  private readonly cache = new Map<string, { value: string | undefined; until: number }>();
  private auth: GoogleAuth | undefined;

  constructor(private readonly opts: SecretManagerSecretsOptions) {
    this.endpoint = (opts.endpoint ?? 'https://secretmanager.googleapis.com').replace(/\/+$/, '');
  }

  async get(name: string): Promise<string | undefined> {
    if (!SECRET_ID.test(name)) return this.fromEnv(name);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.cache.get(name);
    if (hit && hit.until > now) return hit.value;
    const value = (await this.access(name)) ?? this.fromEnv(name);
    const ttl = this.opts.cacheTtlMs ?? 60_000;
    if (ttl > 0) this.cache.set(name, { value, until: now + ttl });
    return value;
  }

  private fromEnv(name: string): string | undefined {
    const encoded = this.opts.env?.[`SECRET_${name}`];
    return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
  }

  private async token(): Promise<string> {
    if (this.opts.accessToken) return this.opts.accessToken();
    this.auth ??= new (authLib().GoogleAuth)({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const token = await this.auth.getAccessToken();
    if (!token) throw new AloftError(ErrorCode.UNAUTHORIZED, 'no credentials to read Secret Manager (Application Default Credentials gave no token)');
    return token;
  }

  /** The latest version's value; undefined when the secret (or an enabled version) does not exist. */
  private async access(name: string): Promise<string | undefined> {
    const url = `${this.endpoint}/v1/projects/${encodeURIComponent(this.opts.projectId)}/secrets/${name}/versions/latest:access`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw new AloftError(ErrorCode.INFRA_RETRYABLE, `Secret Manager is unreachable while reading secret ${name}: ${(err as Error).message}`);
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      // The error body names the secret and the reason; it never holds the value.
      const detail = (await res.text().catch(() => '')).slice(0, 300);
      const code = res.status === 401 ? ErrorCode.UNAUTHORIZED : res.status === 403 ? ErrorCode.FORBIDDEN
        : res.status === 429 || res.status >= 500 ? ErrorCode.INFRA_RETRYABLE : ErrorCode.INTERNAL;
      throw new AloftError(code, `Secret Manager refused to read secret ${name} (HTTP ${res.status}): ${detail}`);
    }
    const body = (await res.json()) as AccessResponse;
    const data = body.payload?.data;
    if (typeof data !== 'string') throw new AloftError(ErrorCode.INTERNAL, `Secret Manager answered without a payload for secret ${name}`);
    return Buffer.from(data, 'base64').toString('utf8');
  }
}
