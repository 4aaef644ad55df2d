// The BlobStore contract against Cloud Storage on the firebase-tools storage emulator
// (scripts/services/storage-emulator.sh), one bucket folder per test.
import { GcsBlobStore } from '../../lib/adapters/gcp/gcs-blob-store';
import { storageFor, uniquePrefix, uniqueProject } from '../integration/adapters-gcp/emulators';
import { blobStoreContract } from './suites/blob-store';

const projectId = uniqueProject('blobs');
const bucket = `${projectId}-bucket`;
let client: ReturnType<typeof storageFor> | undefined;
const storage = () => (client ??= storageFor(projectId));

blobStoreContract('Cloud Storage (emulator)', async () => {
  const prefix = `aloft/${uniquePrefix('b')}`;
  const store = new GcsBlobStore({ storage: storage(), bucket, prefix });
  return {
    store,
    cleanup: async () => {
      await storage().bucket(bucket).deleteFiles({ prefix: `${prefix}/`, force: true });
    },
  };
});
