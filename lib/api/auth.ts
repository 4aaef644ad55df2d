// Bearer tokens. Without any token configured the API is open (a laptop, or a cloud function behind
// IAM). With tokens: none or an unknown one is 401; a read-only token on a route that changes
// something is 403. Webhooks carry their own key, so they are public unless configured otherwise,
// in which case they need a token allowed to start executions.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../model/errors';

export const Access = { READ: 'read', WRITE: 'write', WEBHOOK: 'webhook' } as const;
export type Access = (typeof Access)[keyof typeof Access];

export const TokenScope = { ADMIN: 'admin', READ: 'read' } as const;
export type TokenScope = (typeof TokenScope)[keyof typeof TokenScope];

export const ApiToken = z.object({ token: z.string().min(8, 'a token has at least 8 characters'), scope: z.enum([TokenScope.ADMIN, TokenScope.READ]) });
export type ApiToken = z.infer<typeof ApiToken>;

export interface AuthConfig {
  tokens: readonly ApiToken[];
  /** Webhook routes need no token (their key protects them). Default true. */
  webhooksPublic?: boolean;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The scope of the request's token; throws UNAUTHORIZED or FORBIDDEN when the route is not allowed. */
export function authorize(auth: AuthConfig | undefined, req: IncomingMessage, access: Access): void {
  if (!auth || auth.tokens.length === 0) return;
  if (access === Access.WEBHOOK && auth.webhooksPublic !== false) return;
  const header = String(req.headers.authorization ?? '');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AloftError(ErrorCode.UNAUTHORIZED, 'this server needs a bearer token: send Authorization: Bearer <token>');
  const given = digest(m[1]);
  // Every token is compared, in constant time, so the answer time does not tell which one was close.
  let scope: TokenScope | undefined;
  for (const t of auth.tokens) if (timingSafeEqual(given, digest(t.token)) && scope !== TokenScope.ADMIN) scope = t.scope;
  if (!scope) throw new AloftError(ErrorCode.UNAUTHORIZED, 'the bearer token is not valid for this server');
  if (access !== Access.READ && scope !== TokenScope.ADMIN) {
    throw new AloftError(ErrorCode.FORBIDDEN, 'this token may only read; this route changes flows or executions');
  }
}
