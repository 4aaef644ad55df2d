// The OpenAPI 3.1 document, built from the route table so that it lists every route and nothing else, with
// every request and response body generated from the zod schemas the routes use (3.1 schemas are JSON Schema
// 2020-12, what z.toJSONSchema writes).
import { z } from 'zod';
import type { Route } from './route';

const ERROR_SCHEMA = {
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: 'a code of the closed set (FLOW_INVALID, NOT_FOUND, PAYLOAD_TOO_LARGE, ...)' },
    message: { type: 'string' },
    file: { type: 'string' }, flow: { type: 'string' }, task: { type: 'string' }, property: { type: 'string' },
    line: { type: 'integer' }, column: { type: 'integer' }, hint: { type: 'string' },
    errors: { type: 'array', items: { type: 'object' }, description: 'every diagnostic, for FLOW_INVALID' },
  },
};

/** A request body as it may be sent (`input`), a response body as it is answered (`output`). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The content of a success answer: JSON from the route's reply schema, or its other media type. */
function successContent(route: Route): Record<string, unknown> {
  if (route.media === 'text/event-stream') return { [route.media]: { schema: { type: 'string', description: '`data:` events, each one JSON document' } } };
  if (route.media) return { [route.media]: { schema: { type: 'string', contentMediaType: route.media } } };
  return { 'application/json': { schema: route.reply ? jsonSchema(route.reply, 'output') : {} } };
}

function operation(route: Route): Record<string, unknown> {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = Object.entries(route.query ?? {}).map(([name, q]) => ({
    name, in: 'query', required: false, description: q.description,
    schema: q.repeated ? { type: 'array', items: { type: q.type } } : { type: q.type },
    ...(q.repeated ? { style: 'form', explode: true } : {}),
  }));
  const content: Record<string, unknown> = {};
  for (const [type, body] of Object.entries(route.body ?? {})) {
    if (body === 'text') content[type] = { schema: { type: 'string' } };
    else if (body === 'form') content[type] = { schema: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'string', format: 'binary' }] } } };
    else content[type] = { schema: jsonSchema(body, 'input') };
  }
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(route.responses)) {
    const ok = Number(status) < 300;
    responses[status] = {
      description,
      ...(Number(status) === 204 ? {} : { content: ok ? successContent(route) : { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }),
    };
  }
  responses.default = { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(params.length + query.length ? { parameters: [...params, ...query] } : {}),
    ...(route.body ? { requestBody: { required: route.method !== 'GET', content } } : {}),
    responses,
    ...(route.access === 'webhook' ? { security: [{}, { bearerAuth: [] }] } : {}),
  };
}

export function openApiDocument(routes: readonly Route[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: { title: 'Aloft API', version: '1', description: "Kestra's API for flows, executions, logs, files and webhooks, served by `aloft server` and the cloud `api` function." },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'needed when the server has tokens; a read-only token gets 403 on routes that change something' } },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
