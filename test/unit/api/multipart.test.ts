import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseMultipart, readMultipart, type SpooledForm } from '../../../lib/api/multipart';

/** Sends `body` in chunks (no content-length) to a server that reads it with readMultipart. */
async function streamed(form: FormData, limit: number, handle: (f: SpooledForm) => Promise<void>): Promise<unknown> {
  let outcome: unknown;
  const server = createServer((req: IncomingMessage, res) => {
    readMultipart(req, limit).then(async (f) => { await handle(f); outcome = 'ok'; }, (err: unknown) => { outcome = err; }).finally(() => res.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  try {
    const { headers, body } = await encode(form);
    const chunks = (async function* () { for (let i = 0; i < body.length; i += 4096) yield body.subarray(i, i + 4096); })();
    await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', headers, body: chunks as never, duplex: 'half' } as RequestInit);
  } finally {
    await new Promise((r) => server.close(r));
  }
  return outcome;
}

async function encode(form: FormData): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const req = new Request('http://x', { method: 'POST', body: form });
  return { headers: { 'content-type': req.headers.get('content-type')! }, body: Buffer.from(await req.arrayBuffer()) };
}

describe('parseMultipart', () => {
  it('separates text fields from files and keeps file names', async () => {
    const form = new FormData();
    form.set('n', '3');
    form.set('data', new Blob(['a,b']), 'rows.csv');
    const { headers, body } = await encode(form);
    const parsed = await parseMultipart(headers, body);
    expect(parsed.fields).toEqual({ n: '3' });
    expect(parsed.files.data.fileName).toBe('rows.csv');
    expect(String(parsed.files.data.data)).toBe('a,b');
  });

  it('refuses a name given twice with INPUT_INVALID', async () => {
    const form = new FormData();
    form.append('n', '1');
    form.append('n', '2');
    const { headers, body } = await encode(form);
    await expect(parseMultipart(headers, body)).rejects.toMatchObject({ code: 'INPUT_INVALID', message: "the form has 'n' more than once" });
  });

  it('refuses a body without a boundary with MESSAGE_INVALID', async () => {
    await expect(parseMultipart({ 'content-type': 'multipart/form-data' }, Buffer.from('x'))).rejects.toMatchObject({ code: 'MESSAGE_INVALID' });
  });

  it('takes fields named constructor, toString and __proto__ as plain names', async () => {
    const form = new FormData();
    form.set('constructor', 'c');
    form.set('toString', 't');
    form.set('__proto__', 'p');
    const { headers, body } = await encode(form);
    const parsed = await parseMultipart(headers, body);
    expect(Object.entries(parsed.fields)).toEqual([['constructor', 'c'], ['toString', 't'], ['__proto__', 'p']]);
    expect(Object.getPrototypeOf(parsed.fields)).toBe(Object.prototype);
  });

  it('reads UTF-8 file names as UTF-8', async () => {
    const form = new FormData();
    form.set('data', new Blob(['x']), 'données-été.csv');
    const { headers, body } = await encode(form);
    expect((await parseMultipart(headers, body)).files.data.fileName).toBe('données-été.csv');
  });

  it('streams the files of a request to temporary files, removed by dispose', async () => {
    const form = new FormData();
    form.set('n', '3');
    form.set('data', new Blob(['x'.repeat(100_000)]), 'rows.csv');
    let path = '';
    const outcome = await streamed(form, 1 << 20, async (f) => {
      expect(f.fields).toEqual({ n: '3' });
      expect(f.files.data.fileName).toBe('rows.csv');
      expect(f.files.data.data).toBeInstanceOf(Readable);
      const files = await readdir(tmpdir());
      path = join(tmpdir(), files.find((n) => n.startsWith('aloft-upload-')) ?? 'none');
      expect(existsSync(path)).toBe(true);
      let size = 0;
      for await (const c of f.files.data.data as Readable) size += (c as Buffer).length;
      expect(size).toBe(100_000);
      await f.dispose();
    });
    expect(outcome).toBe('ok');
    expect(existsSync(path)).toBe(false);
  });

  it('stops reading a streamed body past its limit with PAYLOAD_TOO_LARGE', async () => {
    const form = new FormData();
    form.set('data', new Blob(['x'.repeat(300_000)]), 'big.bin');
    const outcome = await streamed(form, 100_000, async () => undefined);
    expect(outcome).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'the request body is larger than the limit of 100000 bytes' });
  });
});
