// The attempt ledger contract against Firestore on the emulator (scripts/services/firestore-emulator.sh).
import { FirestoreAttemptLedger } from '../../lib/adapters/gcp/firestore-attempt-ledger';
import { firestoreForThisFile, uniquePrefix } from '../integration/adapters-gcp/emulators';
import { attemptLedgerContract } from './suites/attempt-ledger';

const firestore = firestoreForThisFile('attempts');

attemptLedgerContract('Firestore (emulator)', async () => ({
  ledger: new FirestoreAttemptLedger({ firestore: firestore(), collectionPrefix: uniquePrefix() }),
  cleanup: async () => undefined,
}));
