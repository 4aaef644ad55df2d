// What a route is: method, Kestra path, who may call it, its documentation, and its handler.
import type { z } from 'zod';
import { AloftError, ErrorCode } from '../model/errors';
import type { Access } from './auth';
import type { ApiRequest, Reply } from './http';
import type { ApiService } from './service';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Limits {
  /** JSON and YAML bodies. */
  bodyBytes: number;
  webhookBodyBytes: number;
  /** multipart bodies with FILE inputs. */
  uploadBytes: number;
}

export const DEFAULT_LIMITS: Limits = { bodyBytes: 1 << 20, webhookBodyBytes: 1 << 20, uploadBytes: 32 << 20 };

export interface Ctx {
  req: ApiRequest;
  params: Record<string, string>;
  query: URLSearchParams;
  service: ApiService;
  limits: Limits;
}

export interface QueryParam {
  description: string;
  type: 'string' | 'integer' | 'boolean';
  repeated?: boolean;
}

export interface Route {
  method: Method;
  /** Kestra's path, with `{name}` parameters. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  access: Access;
  query?: Record<string, QueryParam>;
  /** Media type -> body schema ('text' for YAML or raw text, 'form' for multipart). */
  body?: Record<string, z.ZodType | 'text' | 'form'>;
  responses: Record<number, string>;
  /** The JSON body of its success answer (the OpenAPI document describes it from this). */
  reply?: z.ZodType;
  /** A success answer that is not JSON: a file, or server-sent events. */
  media?: 'application/octet-stream' | 'text/event-stream';
  handle(cx: Ctx): Promise<Reply>;
}

/** Checks a value with zod; MESSAGE_INVALID naming the first problem. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  throw new AloftError(ErrorCode.MESSAGE_INVALID, `${what}: ${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
}

export const notFound = (what: string): AloftError => new AloftError(ErrorCode.NOT_FOUND, `${what} not found`);
