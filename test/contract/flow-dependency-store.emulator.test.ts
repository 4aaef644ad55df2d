// The flow dependency store contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreFlowDependencyStore } from '../../lib/adapters/gcp/firestore-flow-dependency-store';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { flowDependencyStoreContract } from './suites/flow-dependency-store';

const firestore = firestoreForThisFile('flow-refs');

// The first call opens the gRPC channel, which takes seconds on a busy machine: not the first test's time.
beforeAll(async () => { await firestore().listCollections(); }, 60_000);

flowDependencyStoreContract('Firestore (emulator)', async () => {
  const collectionPrefix = uniquePrefix();
  return {
    store: new FirestoreFlowDependencyStore({ firestore: firestore(), collectionPrefix }),
    reopen: () => new FirestoreFlowDependencyStore({ firestore: firestore(), collectionPrefix }),
    cleanup: async () => undefined,
  };
});
