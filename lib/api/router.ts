// The one HTTP router of the API, served by the cloud `api` function and by `aloft server`.
// Takes Node's (or Express's) request and response; every failure becomes `{ code, message, … }`
// with the status of its code.
import type { ServerResponse } from 'node:http';
import { AloftError, ErrorCode, toErrorData } from '../model/errors';
import { authorize, type AuthConfig } from './auth';
import { errorBody, send, type ApiRequest } from './http';
import { openApiDocument } from './openapi';
import { OpenApiJson } from './response-schemas';
import { DEFAULT_LIMITS, type Limits, type Route } from './route';
import { dependencyRoutes } from './routes/dependencies';
import { executionRoutes } from './routes/executions';
import { flowBrowseRoutes } from './routes/flow-browse';
import { flowGraphRoutes } from './routes/flow-graph';
import { flowSchemaRoutes } from './routes/flow-schema';
import { flowTriggerRoutes } from './routes/flow-triggers';
import { followRoutes } from './routes/follow';
import { flowRoutes } from './routes/flows';
import { kvRoutes } from './routes/kv';
import { namespaceFileRoutes } from './routes/namespace-files';
import { logStorageWebhookRoutes } from './routes/logs-storage-webhooks';
import { pluginRoutes } from './routes/plugins';
import { isUiPath, serveUi } from './ui-static';
import type { ApiService } from './service';

export interface ApiOptions {
  service: ApiService;
  auth?: AuthConfig;
  limits?: Partial<Limits>;
  /** The built web UI served at /ui (dist/ui); absent: /ui answers NOT_FOUND. */
  uiDir?: string;
  /** Failures that are not the caller's fault (5xx), for the server's log. */
  onError?(err: unknown, req: { method?: string; url?: string }): void;
  /** One line per request, once answered. */
  onRequest?(line: RequestLine): void;
  /** Milliseconds from a fixed point, for durations; performance.now() unless given. */
  now?(): number;
}

/**
 * What the request log holds. The route is the matched template (`/api/v1/executions/webhook/{namespace}/
 * {flowId}/{key}`), never the URL: a webhook key or a query value is never logged, nor any header.
 */
export interface RequestLine {
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

export type ApiHandler = (req: ApiRequest, res: ServerResponse) => Promise<void>;

interface Compiled {
  route: Route;
  segments: Array<{ literal: string } | { param: string }>;
}

const openApiRoute: Route = {
  method: 'GET', path: '/api/v1/openapi.json', operationId: 'openApi', tag: 'Docs', access: 'read',
  summary: 'This OpenAPI 3.1 document', responses: { 200: 'the document' }, reply: OpenApiJson,
  handle: async () => ({ status: 200, json: openApiDocument(ROUTES) }),
};

/** Every route; the OpenAPI document lists exactly these. */
export const ROUTES: readonly Route[] = [
  ...flowRoutes, ...flowBrowseRoutes, ...flowGraphRoutes, ...flowTriggerRoutes, ...dependencyRoutes, ...executionRoutes, ...followRoutes, ...logStorageWebhookRoutes, ...pluginRoutes, ...flowSchemaRoutes,
  ...kvRoutes, ...namespaceFileRoutes, openApiRoute,
];

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
  const now = opts.now ?? (() => performance.now());
  return async (req, res) => {
    const started = now();
    let route = 'unmatched';
    if (opts.onRequest) {
      const onRequest = opts.onRequest;
      res.once('close', () => onRequest({ method: req.method ?? 'GET', route, status: res.statusCode, durationMs: Math.round((now() - started) * 10) / 10 }));
    }
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (isUiPath(url.pathname) && req.method === 'GET') {
        await serveUi(opts.uiDir, url.pathname, res);
        return;
      }
      const found = match(req.method ?? 'GET', url.pathname.replace(/\/+$/, '') || '/');
      if (!found) throw new AloftError(ErrorCode.NOT_FOUND, `no route ${req.method} ${url.pathname}`);
      if ('allowed' in found) throw new AloftError(ErrorCode.NOT_FOUND, `no route ${req.method} ${url.pathname} (this path takes ${[...new Set(found.allowed)].join(', ')})`);
      route = found.route.path;
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
