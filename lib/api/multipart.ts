// multipart/form-data bodies (FILE inputs, Kestra's execution form) parsed with busboy. A request
// still to be read is streamed: its files go to temporary files as they arrive, so concurrent large
// uploads cost disk, not memory. A body a framework already read is parsed from memory.
import busboy from 'busboy';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode } from '../model/errors';
import { setOwn } from '../model/own';
import { readBody, type ApiRequest } from './http';
import type { UploadedFile } from './service';

export interface FormData {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

/** A form whose files may be temporary files: `dispose` removes them once the request is handled. */
export interface SpooledForm extends FormData {
  dispose(): Promise<void>;
}

type FileSink = (name: string, fileName: string, stream: Readable) => Promise<UploadedFile>;

const inMemory: FileSink = async (name, fileName, stream) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { fileName: fileName || name, data: Buffer.concat(chunks) };
};

/** Runs busboy over `feed`; a repeated field or file name is refused (one value per input). */
function parseForm(headers: IncomingHttpHeaders, feed: (bb: busboy.Busboy, fail: (err: AloftError) => void) => void, sink: FileSink): Promise<FormData> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // Browsers and curl send UTF-8 file names unencoded; busboy would read them as latin1.
      bb = busboy({ headers, preservePath: false, defParamCharset: 'utf8' });
    } catch (err) {
      reject(new AloftError(ErrorCode.MESSAGE_INVALID, `invalid multipart request: ${(err as Error).message}`));
      return;
    }
    const form: FormData = { fields: {}, files: {} };
    const pending: Promise<void>[] = [];
    let failed: AloftError | undefined;
    const fail = (message: string): void => { failed ??= new AloftError(ErrorCode.INPUT_INVALID, message); };
    // Own properties only: a field named constructor or __proto__ is a name like any other.
    const seen = (name: string): boolean => Object.hasOwn(form.fields, name) || Object.hasOwn(form.files, name);
    bb.on('field', (name, value) => {
      if (seen(name)) fail(`the form has '${name}' more than once`);
      setOwn(form.fields, name, value);
    });
    bb.on('file', (name, stream, info) => {
      if (seen(name)) fail(`the form has '${name}' more than once`);
      setOwn(form.files, name, { fileName: info.filename || name, data: Buffer.alloc(0) });
      const done = sink(name, info.filename ?? '', stream).then((file) => setOwn(form.files, name, file));
      // Awaited at 'close'; a parse stopped before (a body over its limit) must not leave it unhandled.
      done.catch(() => undefined);
      pending.push(done);
    });
    bb.on('error', (err: Error) => reject(new AloftError(ErrorCode.MESSAGE_INVALID, `invalid multipart request: ${err.message}`)));
    bb.on('close', () => {
      Promise.all(pending).then(() => (failed ? reject(failed) : resolve(form)), reject);
    });
    feed(bb, (err) => { failed = err; reject(err); });
  });
}

/** Parses an already bounded body held in memory. */
export function parseMultipart(headers: IncomingHttpHeaders, body: Buffer): Promise<FormData> {
  return parseForm(headers, (bb) => bb.end(body), inMemory);
}

const tooLarge = (limit: number): AloftError =>
  new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `the request body is larger than the limit of ${limit} bytes`);

/**
 * The form of a request, at most `limit` bytes (PAYLOAD_TOO_LARGE beyond). Files of a request still to
 * be read are streamed to temporary files; call `dispose` when done with them.
 */
export async function readMultipart(req: ApiRequest, limit: number): Promise<SpooledForm> {
  if (Buffer.isBuffer(req.rawBody) || req.readableEnded || req.complete) {
    return { ...(await parseMultipart(req.headers, await readBody(req, limit))), dispose: async () => undefined };
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const dir = await mkdtemp(join(tmpdir(), 'aloft-upload-'));
  const opened: Readable[] = [];
  const dispose = async (): Promise<void> => {
    for (const s of opened) s.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  let count = 0;
  const toDisk: FileSink = async (name, fileName, stream) => {
    const path = join(dir, String(count++));
    await pipeline(stream, createWriteStream(path));
    // Opened on first read: a file nobody reads (the request failed first) is never opened, so
    // removing it cannot make an open fail with no one listening.
    const data = Readable.from((async function* () { yield* createReadStream(path); })());
    opened.push(data);
    return { fileName: fileName || name, data };
  };
  try {
    const form = await parseForm(req.headers, (bb, fail) => {
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          // Stop parsing, and drain the rest without keeping it so the client can read the answer.
          req.unpipe(bb);
          req.resume();
          fail(tooLarge(limit));
          bb.destroy();
        }
      });
      req.pipe(bb);
    }, toDisk);
    return { ...form, dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
