import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore } from '../../lib/adapters/local';
import { blobStoreContract } from './suites/blob-store';

blobStoreContract('folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aloft-blobs-'));
  return { store: new FolderBlobStore({ root: join(dir, 'storage') }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});
