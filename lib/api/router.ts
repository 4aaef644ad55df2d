// The one HTTP router of the API, served by the cloud `api` function and by `aloft server`.
// Takes Node's (or Express's) request and response; every failure becomes `{ code, message, … }`
// with the status of its code.
import type { ServerResponse } from 'node:http';
import { AloftError, ErrorCode, toErrorData } from '../model/errors';
import { authorize, type AuthConfig } from './auth';
import { errorBody, send, type ApiRequest } from './http';
import { openApiDocument } from './openapi';
import { DEFAULT_LIMITS, type Limits, type Route } from './route';
import { executionRoutes } from './routes/executions';
import { flowRoutes } from './routes/flows';
import { kvRoutes } from './routes/kv';
import { namespaceFileRoutes } from './routes/namespace-files';
import { otherRoutes } from './routes/other';
import type { ApiService } from './service';

export interface ApiOptions {
  service: ApiService;
  auth?: AuthConfig;
  limits?: Partial<Limits>;
  /** Failures that are not the caller's fault (5xx), for the server's log. */
  onError?(err: unknown, req: { method?: string; url?: string }): void;
}

export type ApiHandler = (req: ApiRequest, res: ServerResponse) => Promise<void>;

interface Compiled {
  route: Route;
  segments: Array<{ literal: string } | { param: string }>;
}

const openApiRoute: Route = {
  method: 'GET', path: '/api/v1/openapi.json', operationId: 'openApi', tag: 'Docs', access: 'read',
  summary: 'This OpenAPI 3 document', responses: { 200: 'the document' },
  handle: async () => ({ status: 200, json: openApiDocument(ROUTES) }),
};

/** Every route; the OpenAPI document lists exactly these. */
export const ROUTES: readonly Route[] = [...flowRoutes, ...executionRoutes, ...otherRoutes, ...kvRoutes, ...namespaceFileRoutes, openApiRoute];

function compile(route: Route): Compiled {
  const segments = route.path.split('/').filter(Boolean).map((s) => {
    const m = /^\{(\w+)\}$/.exec(s);
    return m ? { param: m[1] } : { literal: s };
  });
  return { route, segments };
}

// A literal segment beats a parameter at the same place: /executions/search is not an execution id,
// and /executions/{id}/kill is not a flow called `kill`.
const COMPILED: Compiled[] = ROUTES.map(compile).sort((a, b) => {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const la = 'literal' in a.segments[i];
    const lb = 'literal' in b.segments[i];
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
});

function match(method: string, path: string): { route: Route; params: Record<string, string> } | { allowed: string[] } | null {
  const parts = path.split('/').filter(Boolean);
  const allowed: string[] = [];
  for (const c of COMPILED) {
    if (c.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const seg = c.segments[i];
      if ('literal' in seg) ok = seg.literal === parts[i];
      else {
        try {
          params[seg.param] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      }
    }
    if (!ok) continue;
    if (c.route.method === method) return { route: c.route, params };
    allowed.push(c.route.method);
  }
  return allowed.length ? { allowed } : null;
}

export function createApiHandler(opts: ApiOptions): ApiHandler {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const found = match(req.method ?? 'GET', url.pathname.replace(/\/+$/, '') || '/');
      if (!found) throw new AloftError(ErrorCode.NOT_FOUND, `no route ${req.method} ${url.pathname}`);
      if ('allowed' in found) throw new AloftError(ErrorCode.NOT_FOUND, `no route ${req.method} ${url.pathname} (this path takes ${[...new Set(found.allowed)].join(', ')})`);
      authorize(opts.auth, req, found.route.access);
      const reply = await found.route.handle({ req, params: found.params, query: url.searchParams, service: opts.service, limits });
      await send(res, reply);
    } catch (err) {
      const { status, body } = errorBody(err);
      if (status >= 500) opts.onError?.(err, { method: req.method, url: req.url });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const headers: Record<string, string> = body.code === ErrorCode.UNAUTHORIZED ? { 'www-authenticate': 'Bearer' } : {};
      await send(res, { status, json: body, headers }).catch((e) => opts.onError?.(toErrorData(e), { method: req.method, url: req.url }));
    }
  };
}
