// The execution lease contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreExecutionLease } from '../../lib/adapters/gcp/lease';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { executionLeaseContract } from './suites/execution-lease';

const firestore = firestoreForThisFile('lease');

executionLeaseContract('Firestore (emulator)', async () => ({
  lease: new FirestoreExecutionLease({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
