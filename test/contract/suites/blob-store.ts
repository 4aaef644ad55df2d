// The BlobStore contract: kestra:/// files put, read, streamed, listed and deleted, and every
// URI that could escape its prefix refused with STORAGE_FORBIDDEN.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../../../lib/ports/blob-store';
import { codeOf, unique } from './helpers';

export interface BlobStoreFixture {
  store: BlobStore;
  cleanup(): Promise<void>;
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

const MiB = 1024 * 1024;

/** A stream of `total` bytes that reuses one chunk, so the source itself allocates nothing. */
function bigSource(total: number, chunk: Buffer): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

/** Peak growth of external (Buffer) memory while `work` runs. */
async function peakExternalGrowth(work: () => Promise<void>): Promise<number> {
  const base = process.memoryUsage().arrayBuffers;
  let peak = base;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().arrayBuffers); }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  return peak - base;
}

export const ESCAPING_URIS: readonly string[] = [
  'kestra:///a/../b.txt',
  'kestra:///../outside.txt',
  'kestra:///a/%2e%2e/b.txt',
  'kestra:///a/%2E%2E/%2e%2e/b.txt',
  'kestra:///a/%252e%252e/b.txt',
  'kestra:///a/..%2fb.txt',
  'kestra:////etc/passwd',
  'kestra:///%2fetc/passwd',
  'kestra:///a\\..\\b.txt',
  'kestra:///a/%5c..%5cb.txt',
  'kestra:///a//b.txt',
  'kestra:///a/./b.txt',
  'kestra:///a/b%00.txt',
  'kestra:///',
  'file:///etc/passwd',
  '/etc/passwd',
  '',
];

export function blobStoreContract(name: string, make: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fx: BlobStoreFixture;
    let store: BlobStore;
    let base: string;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
      base = `kestra:///${unique('blob')}`;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    it('puts a string and reads it back with its size', async () => {
      const uri = `${base}/io/aloft/f/executions/e1/tasks/t/r/out.txt`;
      const info = await store.put(uri, 'héllo\n');
      expect(info).toEqual({ uri, size: Buffer.byteLength('héllo\n') });
      expect(await text(await store.get(uri))).toBe('héllo\n');
    });

    it('puts a Buffer and a stream', async () => {
      await store.put(`${base}/buf.bin`, Buffer.from([0, 1, 2, 255]));
      const chunks: Buffer[] = [];
      for await (const c of await store.get(`${base}/buf.bin`)) chunks.push(Buffer.from(c));
      expect([...Buffer.concat(chunks)]).toEqual([0, 1, 2, 255]);
      await store.put(`${base}/rows.jsonl`, Readable.from(['{"a":1}\n', '{"a":2}\n']));
      expect(await text(await store.get(`${base}/rows.jsonl`))).toBe('{"a":1}\n{"a":2}\n');
    });

    it('replaces a file that is put again', async () => {
      await store.put(`${base}/x.txt`, 'first version');
      const info = await store.put(`${base}/x.txt`, 'second');
      expect(info.size).toBe(6);
      expect(await text(await store.get(`${base}/x.txt`))).toBe('second');
    });

    it('keeps names with spaces and unicode', async () => {
      const uri = `${base}/dir/${encodeURIComponent('my file é.csv')}`;
      const info = await store.put(uri, 'a,b');
      expect(info.uri).toBe(uri);
      expect(await text(await store.get(uri))).toBe('a,b');
      expect((await store.list(`${base}/dir`)).map((i) => i.uri)).toEqual([uri]);
    });

    it('fails with STORAGE_NOT_FOUND for a file that does not exist', async () => {
      expect(await codeOf(store.get(`${base}/missing.txt`))).toBe('STORAGE_NOT_FOUND');
    });

    it('says whether a file exists', async () => {
      await store.put(`${base}/here.txt`, 'x');
      expect(await store.exists(`${base}/here.txt`)).toBe(true);
      expect(await store.exists(`${base}/absent.txt`)).toBe(false);
      // A folder is not a file.
      await store.put(`${base}/folder/inner.txt`, 'x');
      expect(await store.exists(`${base}/folder`)).toBe(false);
    });

    it('lists the files under a folder, recursively, and nothing beside it', async () => {
      await store.put(`${base}/p/a.txt`, 'aa');
      await store.put(`${base}/p/sub/b.txt`, 'bbb');
      await store.put(`${base}/pq/c.txt`, 'c');
      const listed = await store.list(`${base}/p`);
      expect(listed.sort((x, y) => x.uri.localeCompare(y.uri))).toEqual([
        { uri: `${base}/p/a.txt`, size: 2 },
        { uri: `${base}/p/sub/b.txt`, size: 3 },
      ]);
      expect((await store.list(`${base}/p/`)).length).toBe(2);
      expect(await store.list(`${base}/nothing`)).toEqual([]);
    });

    it('deletes a file and says when there was nothing to delete', async () => {
      await store.put(`${base}/del.txt`, 'x');
      expect(await store.delete(`${base}/del.txt`)).toBe(true);
      expect(await store.exists(`${base}/del.txt`)).toBe(false);
      expect(await store.delete(`${base}/del.txt`)).toBe(false);
    });

    it('streams a large file in and out without holding it in memory', async () => {
      const uri = `${base}/big.bin`;
      const chunk = Buffer.alloc(256 * 1024, 7);
      const total = 96 * MiB;
      const putGrowth = await peakExternalGrowth(async () => {
        const info = await store.put(uri, bigSource(total, chunk));
        expect(info.size).toBe(total);
      });
      let read = 0;
      const hash = createHash('sha256');
      const getGrowth = await peakExternalGrowth(async () => {
        for await (const c of await store.get(uri)) {
          read += (c as Buffer).length;
          hash.update(c as Buffer);
        }
      });
      const expected = createHash('sha256');
      for (let i = 0; i < total / chunk.length; i++) expected.update(chunk);
      expect(read).toBe(total);
      expect(hash.digest('hex')).toBe(expected.digest('hex'));
      // Holding the file would need all 96 MiB at once; a stream needs a few chunks. The bound leaves room
      // for buffers the garbage collector has not freed yet, which grows on a loaded machine.
      expect(putGrowth).toBeLessThan(80 * MiB);
      expect(getGrowth).toBeLessThan(80 * MiB);
    }, 120_000);

    describe('refuses URIs that escape their prefix with STORAGE_FORBIDDEN', () => {
      it.each(ESCAPING_URIS.map((u) => [u]))('on put, get, exists, list and delete: %j', async (uri) => {
        expect(await codeOf(store.put(uri, 'x'))).toBe('STORAGE_FORBIDDEN');
        expect(await codeOf(store.get(uri))).toBe('STORAGE_FORBIDDEN');
        expect(await codeOf(store.exists(uri))).toBe('STORAGE_FORBIDDEN');
        expect(await codeOf(store.delete(uri))).toBe('STORAGE_FORBIDDEN');
        expect(await codeOf(store.list(uri))).toBe('STORAGE_FORBIDDEN');
      });
    });
  });
}
