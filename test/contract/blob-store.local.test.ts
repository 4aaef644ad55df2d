import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../lib/adapters/local';
import { keyToUri } from '../../lib/model/storage-uri';
import { blobStoreContract } from './suites/blob-store';

blobStoreContract('folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aloft-blobs-'));
  return { store: new FolderBlobStore({ root: join(dir, 'storage') }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('folder blob store errors', () => {
  it('names the URI and never the server folder when the file system refuses a name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aloft-blobs-'));
    try {
      const store = new FolderBlobStore({ root: join(dir, 'storage') });
      const uri = keyToUri(`ns/f/${'x'.repeat(300)}/a.txt`);
      const err = await store.put(uri, 'x').catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INPUT_INVALID', message: `a name in ${uri} is too long for internal storage` });
      expect(JSON.stringify(err) + String((err as Error).message)).not.toContain(dir);
      await expect(store.exists(uri)).resolves.toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
