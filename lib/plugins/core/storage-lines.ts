// Line-by-line helpers of the storage tasks: local part files written with backpressure, and the
// lines of a local file read from its end. Lines are split on \n (a \r before it is dropped), as
// Java's BufferedReader does; bytes are never decoded, so UTF-8 passes through unchanged.
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';

const CHUNK = 64 * 1024;

/** A local file written line by line, waiting when the disk falls behind. */
export class PartFile {
  private readonly out: WriteStream;
  bytes = 0;
  rows = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
  }

  async write(data: Buffer | string): Promise<void> {
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (!this.out.write(data)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'close');
  }
}

/** The lines of a local file, last first; a final newline does not make an empty last line. */
export async function* linesFromEnd(path: string): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    let pos = (await file.stat()).size;
    if (pos === 0) return;
    let rest: Buffer = Buffer.alloc(0);
    let atEnd = true;
    while (pos > 0) {
      const n = Math.min(CHUNK, pos);
      pos -= n;
      const buf = Buffer.alloc(n);
      await file.read(buf, 0, n, pos);
      let data: Buffer = rest.length ? Buffer.concat([buf, rest]) : buf;
      if (atEnd) {
        atEnd = false;
        if (data[data.length - 1] === 0x0a) data = trimCr(data.subarray(0, data.length - 1));
      }
      for (let nl = data.lastIndexOf(0x0a); nl >= 0; nl = data.lastIndexOf(0x0a)) {
        yield data.subarray(nl + 1);
        data = trimCr(data.subarray(0, nl));
      }
      rest = Buffer.from(data);
    }
    yield rest;
  } finally {
    await file.close();
  }
}

const trimCr = (b: Buffer): Buffer => (b.length && b[b.length - 1] === 0x0d ? b.subarray(0, b.length - 1) : b);
