// Text in and out of internal storage in a named charset (Kestra's `charset`, a Java charset name),
// and the JSON Lines reader's decoding. Files are streamed both ways.
import { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';

/** Java charset names as Node's encoders spell them; writing supports these only. */
const WRITABLE: Record<string, BufferEncoding> = {
  'utf-8': 'utf8', utf8: 'utf8', 'iso-8859-1': 'latin1', 'iso8859-1': 'latin1', latin1: 'latin1', 'us-ascii': 'ascii', ascii: 'ascii',
  'utf-16le': 'utf16le', utf16le: 'utf16le',
};

/** A streaming decoder for the charset (any WHATWG encoding label), or a failure naming `charset`. */
export function decoderFor(charset: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    throw new AloftError(ErrorCode.TASK_FAILED, `unknown charset: ${charset}`, { property: 'charset' });
  }
}

export function encodingFor(charset: string | undefined): BufferEncoding {
  const encoding = WRITABLE[(charset ?? 'utf-8').toLowerCase()];
  if (!encoding) {
    throw new AloftError(ErrorCode.NOT_SUPPORTED, `not supported: writing the charset ${charset} (use UTF-8, ISO-8859-1, US-ASCII or UTF-16LE)`, { property: 'charset' });
  }
  return encoding;
}

/** Decoded text of a stream, chunk by chunk. */
export async function* decodeStream(source: AsyncIterable<Buffer | string>, decoder: TextDecoder): AsyncGenerator<string> {
  for await (const chunk of source) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Writes text pieces as one file of this task run, grouped into ~64 KiB writes. */
export async function putText(ctx: TaskContext, fileName: string, pieces: AsyncIterable<string>, encoding: BufferEncoding = 'utf8'): Promise<string> {
  async function* chunks(): AsyncGenerator<Buffer> {
    let pending = '';
    for await (const piece of pieces) {
      pending += piece;
      if (pending.length >= 65_536) {
        yield Buffer.from(pending, encoding);
        pending = '';
      }
    }
    if (pending) yield Buffer.from(pending, encoding);
  }
  return (await ctx.storage.put(fileName, Readable.from(chunks()))).uri;
}
