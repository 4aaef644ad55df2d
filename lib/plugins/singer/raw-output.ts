// A tap's raw output (`raw: true`): the Singer JSON Lines as the tap prints them, stored as one file a
// target's `from` reads. On the worker, the tap's stdout goes straight into storage in the pipe's
// chunks while each line is checked on the way, so the check and the store overlap the tap's run;
// in a container, stdout goes to a file in the mounted folder, which is then checked and stored.
import { createReadStream } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createInterface } from 'node:readline';
import type { TaskContext } from '../types';
import { parseMessage } from './messages';
import type { SingerWorkspace } from './workspace';

/** Chunks of stdout handed to storage at once: large writes, few of them. */
const CHUNK = 1 << 20;

/**
 * Checks each line as a Singer message and counts them (Kestra's RAW count), passing the bytes on
 * unchanged. A malformed line fails the stream with the line's number and text.
 */
export class CheckedLines extends Writable {
  count = 0;
  private n = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  /** Chunks not yet handed on: a pipe gives a few KiB at a time, and each write to storage costs a syscall. */
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly out: Writable, private readonly source: string) {
    super({ highWaterMark: CHUNK });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    try {
      this.take(this.decoder.write(chunk));
    } catch (err) {
      return done(err as Error);
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.heldBytes < CHUNK) return done();
    if (this.flush()) done();
    else this.out.once('drain', () => done());
  }

  private flush(): boolean {
    const data = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return this.out.write(data);
  }

  override _final(done: (err?: Error | null) => void): void {
    try {
      this.take(this.decoder.end());
      if (this.partial !== '') this.line(this.partial);
    } catch (err) {
      return done(err as Error);
    }
    if (this.heldBytes > 0) this.flush();
    this.out.end(() => done());
  }

  private take(text: string): void {
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.line(from === 0 && this.partial ? this.partial + text.slice(0, nl) : text.slice(from, nl));
      this.partial = '';
      from = nl + 1;
    }
    this.partial += text.slice(from);
  }

  private line(text: string): void {
    this.n++;
    if (parseMessage(text.endsWith('\r') ? text.slice(0, -1) : text, this.n, this.source)) this.count++;
  }
}

/** Runs the tap's sync (`script`, stdout not redirected) and stores its raw output; the URI and the count of messages. */
export async function syncRaw(ctx: TaskContext, ws: SingerWorkspace, script: string, command: string): Promise<{ raw: string; count: number }> {
  if (!ws.streamsStdout) {
    const file = 'tap-output.jsonl';
    await ws.step(`${script} > ${file}`, command);
    let n = 0;
    let count = 0;
    for await (const line of createInterface({ input: createReadStream(ws.path(file)), crlfDelay: Infinity })) {
      if (parseMessage(line, ++n, command)) count++;
    }
    return { raw: (await ctx.storage.put('raw.jsonl', createReadStream(ws.path(file)))).uri, count };
  }
  const body = new PassThrough({ highWaterMark: CHUNK });
  const lines = new CheckedLines(body, command);
  const stored = ctx.storage.put('raw.jsonl', body);
  // Storage failing stops the tap (through the sink's error) rather than leaving it blocked on a full pipe.
  stored.catch((err: unknown) => lines.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    await ws.step(script, command, lines);
  } catch (err) {
    // Storage drops the partial file; its rejection is this error again.
    body.destroy(err instanceof Error ? err : new Error(String(err)));
    await stored.catch(() => undefined);
    throw err;
  }
  return { raw: (await stored).uri, count: lines.count };
}
