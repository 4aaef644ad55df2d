import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { FolderBlobStore } from '../../../../lib/adapters/local';

describe('FolderBlobStore', () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), 'aloft-fbs-')); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it('maps kestra:///a/b/c.txt to {root}/a/b/c.txt', async () => {
    const store = new FolderBlobStore({ root: join(dir, 'storage') });
    await store.put('kestra:///io/aloft/flow/executions/e1/tasks/t/r/c.txt', 'x');
    expect(await readFile(join(dir, 'storage/io/aloft/flow/executions/e1/tasks/t/r/c.txt'), 'utf8')).toBe('x');
  });

  it('leaves no partial file behind when the source stream fails', async () => {
    const store = new FolderBlobStore({ root: join(dir, 'storage') });
    const failing = new Readable({ read() { this.destroy(new Error('source broke')); } });
    await expect(store.put('kestra:///a/broken.txt', failing)).rejects.toThrow('source broke');
    expect(await store.exists('kestra:///a/broken.txt')).toBe(false);
    expect(await readdir(join(dir, 'storage.partial'))).toEqual([]);
  });
});
