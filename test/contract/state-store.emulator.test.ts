// The StateStore contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreStateStore } from '../../lib/adapters/gcp/firestore-state-store';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { stateStoreContract } from './suites/state-store';

const firestore = firestoreForThisFile('state');

stateStoreContract('Firestore (emulator)', async () => ({
  store: new FirestoreStateStore({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
