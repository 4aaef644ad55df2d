// The StateStore contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreStateStore } from '../../lib/adapters/gcp/firestore-state-store';
import { firestoreFor, uniquePrefix, uniqueProject, wipeFirestore } from '../integration/adapters-gcp/emulators';
import { stateStoreContract } from './suites/state-store';

const projectId = uniqueProject('state');
let db: ReturnType<typeof firestoreFor> | undefined;
const client = () => (db ??= firestoreFor(projectId));

afterAll(async () => {
  if (db) {
    await wipeFirestore(projectId);
    await db.terminate();
  }
});

stateStoreContract('Firestore (emulator)', async () => ({
  store: new FirestoreStateStore({ firestore: client(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
