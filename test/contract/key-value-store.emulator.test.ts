// The key-value store contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
// Values too big for a document go to a folder BlobStore, removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirestoreKeyValueStore } from '../../lib/adapters/gcp/firestore-key-value-store';
import { FolderBlobStore } from '../../lib/adapters/local/blob-store';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { keyValueStoreContract } from './suites/key-value-store';

const firestore = firestoreForThisFile('kv');

keyValueStoreContract('Firestore (emulator)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-kv-'));
  const blobs = new FolderBlobStore({ root: join(dir, 'blobs'), partialDir: join(dir, 'partial') });
  return {
    store: new FirestoreKeyValueStore({ firestore: firestore(), blobs, collectionPrefix: uniquePrefix() }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
