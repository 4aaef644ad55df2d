// The flow repository contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreFlowRepository } from '../../lib/adapters/gcp/firestore-flow-repository';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { flowRepositoryContract } from './suites/flow-repository';

const firestore = firestoreForThisFile('flows');

flowRepositoryContract('Firestore (emulator)', async () => ({
  repo: new FirestoreFlowRepository({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
