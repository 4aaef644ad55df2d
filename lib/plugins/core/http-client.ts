// Sends one request of an HTTP task through undici (Node's own HTTP client): the request body
// (text, URL-encoded form or multipart with files from internal storage), the options (timeouts,
// redirects, auth) and Kestra's rule on failed response codes. The response body is a stream.
import { createWriteStream, openAsBlob } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as Undici from 'undici';
import type { Dispatcher, FormData } from 'undici';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { resolveOptions, type HttpProperties, type Resolved } from './http-properties';
import { toText } from './text';

export interface HttpResponse {
  code: number;
  /** Kestra's shape: header name -> values. */
  headers: Record<string, string[]>;
  body: Readable;
}

const MAX_REDIRECTS = 10;
/** How much of a failed response's body its error message shows. */
const ERROR_BODY_CHARS = 256;

// undici is loaded on the first request: at import it adds ~17 MB of RSS to every process that
// builds the catalog, and most flows send no HTTP request.
let loaded: Promise<typeof Undici> | undefined;
const undici = (): Promise<typeof Undici> => (loaded ??= import('undici'));

// One connection pool per connect timeout, made on first use, so requests reuse connections.
const agents = new Map<number, Dispatcher>();
function agentFor(u: typeof Undici, connectTimeoutMs: number | undefined): Dispatcher | undefined {
  if (connectTimeoutMs === undefined) return undefined;
  let agent = agents.get(connectTimeoutMs);
  if (!agent) agents.set(connectTimeoutMs, (agent = new u.Agent({ connect: { timeout: connectTimeoutMs } })));
  return agent;
}

/** Sends the request; fails (after reading a little of the body) on a response code Kestra would refuse. */
export async function send(ctx: TaskContext, props: HttpProperties): Promise<HttpResponse> {
  const o = resolveOptions(props);
  const url = parseUrl(props.uri);
  const headers: Record<string, string> = {};
  const u = await undici();
  const body = await requestBody(u, ctx, props, headers);
  if (o.authorization) headers.authorization = o.authorization;
  for (const [k, v] of Object.entries(props.headers ?? {})) headers[k.toLowerCase()] = v;

  let res: Dispatcher.ResponseData;
  try {
    res = await u.request(url, {
      method: props.method, headers, body, signal: ctx.signal, dispatcher: agentFor(u, o.connectTimeoutMs),
      maxRedirections: o.followRedirects ? MAX_REDIRECTS : 0,
      headersTimeout: o.readIdleTimeoutMs, bodyTimeout: o.readIdleTimeoutMs,
    });
  } catch (err) {
    throw networkError(ctx, props, err, o);
  }
  ctx.logger.debug(`${props.method} ${url.href} answered ${res.statusCode}`);
  const response: HttpResponse = { code: res.statusCode, headers: headersOf(res.headers), body: res.body };
  if (!accepted(res.statusCode, o)) {
    const text = await head(res.body, ERROR_BODY_CHARS);
    throw new AloftError(ErrorCode.TASK_FAILED, `${props.method} ${url.href} failed with response code ${res.statusCode}${text ? `: ${text}` : ''}`);
  }
  return response;
}

/** The error for a body that stopped arriving (idle timeout, reset), or the abort of the attempt. */
export function bodyError(ctx: TaskContext, props: HttpProperties, err: unknown): unknown {
  return networkError(ctx, props, err, resolveOptions(props));
}

function accepted(code: number, o: Resolved): boolean {
  if (o.allowedResponseCodes) return o.allowedResponseCodes.includes(code);
  return code < 400 || o.allowFailed;
}

function parseUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new AloftError(ErrorCode.FLOW_INVALID, `invalid uri '${uri}'`, { property: 'uri' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AloftError(ErrorCode.FLOW_INVALID, `uri must be http:// or https://, not ${url.protocol}`, { property: 'uri' });
  }
  return url;
}

function networkError(ctx: TaskContext, props: HttpProperties, err: unknown, o: Resolved): unknown {
  // The attempt was killed or timed out: the worker reports that, not the socket's complaint.
  if (ctx.signal.aborted) return ctx.signal.reason;
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const what = `${props.method} ${props.uri}`;
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new AloftError(ErrorCode.TASK_FAILED, `${what}: no connection within ${o.connectTimeoutMs} ms (options.timeout.connectTimeout)`);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new AloftError(ErrorCode.TASK_FAILED, `${what}: the server sent nothing for ${o.readIdleTimeoutMs} ms (options.timeout.readIdleTimeout)`);
  }
  if (err instanceof AloftError) return err;
  return new AloftError(ErrorCode.TASK_FAILED, `${what} failed: ${code ?? e.message ?? String(err)}`);
}

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = Array.isArray(v) ? v : [v];
  return out;
}

async function head(body: Readable, chars: number): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += String(chunk);
      if (text.length >= chars) break;
    }
  } catch {
    // The body is only for the message.
  }
  body.destroy();
  return text.length > chars ? `${text.slice(0, chars)}...` : text;
}

async function requestBody(u: typeof Undici, ctx: TaskContext, props: HttpProperties, headers: Record<string, string>): Promise<string | FormData | undefined> {
  const form = props.formData;
  if (form && Object.keys(form).length > 0) {
    if (props.contentType === 'multipart/form-data') return multipart(u, ctx, form);
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return new URLSearchParams(Object.entries(form).map(([k, v]) => [k, toText(v)])).toString();
  }
  if (props.body === undefined || props.body === null) return undefined;
  headers['content-type'] = props.contentType;
  return toText(props.body);
}

/** As Kestra: a kestra:// value is a file, `{name, content}` a file with a name, any other value text. */
async function multipart(u: typeof Undici, ctx: TaskContext, form: Record<string, unknown>): Promise<FormData> {
  const data = new u.FormData();
  for (const [key, value] of Object.entries(form)) {
    if (typeof value === 'string' && value.startsWith('kestra://')) {
      data.append(key, await localFile(ctx, value, key), value.split('/').pop() || key);
    } else if (isNamedFile(value)) {
      data.append(key, await localFile(ctx, value.content, key), value.name);
    } else {
      data.append(key, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return data;
}

const isNamedFile = (v: unknown): v is { name: string; content: string } =>
  !!v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { content?: unknown }).content === 'string';

/** A Blob backed by a local copy, so a large file is streamed, not held in memory. */
async function localFile(ctx: TaskContext, uri: string, key: string): Promise<Blob> {
  const path = join(await ctx.tempDir(), `form-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  await pipeline(await ctx.storage.get(uri), createWriteStream(path));
  return (await openAsBlob(path)) as Blob;
}
