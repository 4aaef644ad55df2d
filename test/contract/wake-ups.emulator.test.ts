// The wake-up store contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreWakeUpStore } from '../../lib/adapters/gcp/firestore-cloud-control';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { wakeUpStoreContract } from './suites/wake-ups';

const firestore = firestoreForThisFile('wakeups');

wakeUpStoreContract('Firestore (emulator)', async () => ({
  store: new FirestoreWakeUpStore({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
