// The lone-event path against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreStateStore } from '../../lib/adapters/gcp/firestore-state-store';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { loneEventsContract } from './suites/lone-events';

const firestore = firestoreForThisFile('lone');

loneEventsContract('Firestore (emulator)', async () => ({
  store: new FirestoreStateStore({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
