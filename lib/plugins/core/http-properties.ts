// The properties Kestra's HTTP tasks share (AbstractHttp and its HttpConfiguration `options`),
// including the deprecated spellings that older flows still use.
import { z } from 'zod';
import { Duration, parseDurationMs } from '../../model/duration';

const Scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const Auth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('BASIC'), username: z.string(), password: z.string() }).strict(),
  z.object({ type: z.literal('BEARER'), token: z.string() }).strict(),
], { error: () => 'auth type must be BASIC (username, password) or BEARER (token)' });

export const HttpOptions = z.object({
  timeout: z.object({ connectTimeout: Duration.optional(), readIdleTimeout: Duration.optional() }).strict().optional(),
  followRedirects: z.boolean().default(true),
  allowFailed: z.boolean().default(false),
  /** When set, only these response codes succeed. */
  allowedResponseCodes: z.array(z.number().int()).optional(),
  auth: Auth.optional(),
  /** Deprecated: use timeout.connectTimeout. */
  connectTimeout: Duration.optional(),
  /** Deprecated: use timeout.readIdleTimeout. */
  readTimeout: Duration.optional(),
  /** Deprecated: use timeout.readIdleTimeout. */
  readIdleTimeout: Duration.optional(),
  /** Deprecated: use auth. */
  basicAuthUser: z.string().optional(),
  basicAuthPassword: z.string().optional(),
}).strict();
export type HttpOptions = z.infer<typeof HttpOptions>;

export const HttpProperties = z.object({
  uri: z.string().min(1),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).default('GET'),
  /** Sent as is; a map or list (an expression that kept its type) is sent as JSON. */
  body: z.unknown().optional(),
  formData: z.record(z.string(), z.unknown()).optional(),
  contentType: z.string().default('application/json'),
  headers: z.record(z.string(), Scalar).optional(),
  options: HttpOptions.optional(),
  /** Deprecated: use options.allowFailed. */
  allowFailed: z.boolean().optional(),
});
export type HttpProperties = z.infer<typeof HttpProperties>;

/** Kestra's default read idle timeout: 5 minutes. */
const READ_IDLE_MS = 300_000;

export interface Resolved {
  connectTimeoutMs?: number;
  readIdleTimeoutMs: number;
  followRedirects: boolean;
  allowFailed: boolean;
  allowedResponseCodes?: readonly number[];
  authorization?: string;
}

const ms = (d: string | undefined): number | undefined => (d === undefined ? undefined : parseDurationMs(d));

export function resolveOptions(props: HttpProperties): Resolved {
  const o = props.options ?? HttpOptions.parse({});
  const user = o.auth?.type === 'BASIC' ? o.auth.username : o.basicAuthUser;
  const password = o.auth?.type === 'BASIC' ? o.auth.password : o.basicAuthPassword;
  let authorization: string | undefined;
  if (o.auth?.type === 'BEARER') authorization = `Bearer ${o.auth.token}`;
  else if (user !== undefined) authorization = `Basic ${Buffer.from(`${user}:${password ?? ''}`).toString('base64')}`;
  return {
    connectTimeoutMs: ms(o.timeout?.connectTimeout ?? o.connectTimeout),
    readIdleTimeoutMs: ms(o.timeout?.readIdleTimeout ?? o.readIdleTimeout ?? o.readTimeout) ?? READ_IDLE_MS,
    followRedirects: o.followRedirects,
    allowFailed: props.allowFailed ?? o.allowFailed,
    allowedResponseCodes: o.allowedResponseCodes,
    authorization,
  };
}
