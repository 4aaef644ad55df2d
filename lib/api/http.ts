// Reading requests and writing responses on Node's http objects. Works as well under
// functions-framework (Express), which has usually read the body already into `rawBody`/`body`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode, HTTP_STATUS, toErrorData, type AloftErrorData } from '../model/errors';
import { clipNesting, jsonTextDepth, MAX_NESTING } from '../model/json-bounds';

export type ApiRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer };

export type Reply =
  | { status: number; json?: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable; headers: Record<string, string> };

const tooLarge = (limit: number): AloftError =>
  new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `the request body is larger than the limit of ${limit} bytes`);

/** The whole body, at most `limit` bytes (PAYLOAD_TOO_LARGE beyond, without buffering the rest). */
export async function readBody(req: ApiRequest, limit: number): Promise<Buffer> {
  // No body at all (an Express parser may still have set `req.body` to {}).
  if (req.headers['content-length'] === '0' || (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)) {
    return Buffer.alloc(0);
  }
  if (Buffer.isBuffer(req.rawBody)) {
    if (req.rawBody.length > limit) throw tooLarge(limit);
    return req.rawBody;
  }
  if (req.body !== undefined && req.body !== null && (req.readableEnded || req.complete)) {
    const b = req.body;
    const buf = Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
    if (buf.length > limit) throw tooLarge(limit);
    return buf;
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      // Drain what is left so the client can read the answer, without keeping it.
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function contentType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Parses a JSON body; MESSAGE_INVALID when it is not JSON or nests too deep. An empty body is `undefined`. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  if (jsonTextDepth(text) > MAX_NESTING) throw new AloftError(ErrorCode.MESSAGE_INVALID, `the request body is nested deeper than ${MAX_NESTING} levels`);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function errorBody(err: unknown): { status: number; body: AloftErrorData & { errors?: unknown } } {
  const data = toErrorData(err);
  // An unexpected error's message may come from Node, which quotes the server's absolute paths.
  if (data.code === ErrorCode.INTERNAL) data.message = data.message.replace(/'\/[^']*'/g, "'…'");
  const diagnostics = (err as { diagnostics?: unknown })?.diagnostics;
  return { status: HTTP_STATUS[data.code], body: { ...data, ...(Array.isArray(diagnostics) ? { errors: diagnostics } : {}) } };
}

export async function send(res: ServerResponse, reply: Reply): Promise<void> {
  if ('stream' in reply) {
    res.writeHead(reply.status, reply.headers);
    await pipeline(reply.stream, res);
    return;
  }
  if (reply.json === undefined) {
    res.writeHead(reply.status, reply.headers ?? {});
    res.end();
    return;
  }
  const text = toJsonText(reply.json);
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...(reply.headers ?? {}) });
  res.end(text);
}

/**
 * JSON text of an answer. A value stored before the nesting bound existed can be too deep for
 * JSON.stringify (a RangeError); it is then sent with its deepest parts clipped, so a read never fails.
 */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.stringify(clipNesting(value));
  }
}
