// The log store contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreLogStore } from '../../lib/adapters/gcp/firestore-log-store';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { logStoreContract } from './suites/log-store';

const firestore = firestoreForThisFile('logs');

logStoreContract('Firestore (emulator)', async () => ({
  logs: new FirestoreLogStore({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
