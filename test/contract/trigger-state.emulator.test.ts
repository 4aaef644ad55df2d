// The trigger state contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreTriggerStateStore } from '../../lib/adapters/gcp/firestore-trigger-state';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { triggerStateContract } from './suites/trigger-state';

const firestore = firestoreForThisFile('triggers');

triggerStateContract('Firestore (emulator)', async () => ({
  store: new FirestoreTriggerStateStore({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
