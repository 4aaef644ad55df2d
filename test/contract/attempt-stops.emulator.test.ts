// The stop-request contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreAttemptStops } from '../../lib/adapters/gcp/firestore-cloud-control';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { attemptStopStoreContract } from './suites/attempt-stops';

const firestore = firestoreForThisFile('stops');

attemptStopStoreContract('Firestore (emulator)', async () => ({
  stops: new FirestoreAttemptStops({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
