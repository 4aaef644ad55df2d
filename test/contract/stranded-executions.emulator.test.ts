// The stranded-executions contract against Firestore on the emulator (scripts/services/firestore-emulator.sh):
// the store, the lease and the query share one collection prefix, as the cloud runtime wires them.
// The inbox query is a collection-group query over the whole database that applies its limit before
// it drops other prefixes' documents, so each test gets a database (an emulator project) of its own.
import { FirestoreStrandedExecutions } from '../../lib/adapters/gcp/firestore-cloud-control';
import { FirestoreStateStore } from '../../lib/adapters/gcp/firestore-state-store';
import { FirestoreExecutionLease } from '../../lib/adapters/gcp/lease';
import { firestoreFor, uniquePrefix, uniqueProject, wipeFirestore } from '../integration/adapters-gcp/emulators';
import { strandedExecutionsContract } from './suites/stranded-executions';

strandedExecutionsContract('Firestore (emulator)', async () => {
  const projectId = uniqueProject('stranded');
  const firestore = firestoreFor(projectId);
  const opts = { firestore, collectionPrefix: uniquePrefix() };
  return {
    store: new FirestoreStateStore(opts), lease: new FirestoreExecutionLease(opts), stranded: new FirestoreStrandedExecutions(opts),
    cleanup: async () => {
      await wipeFirestore(projectId);
      await firestore.terminate();
    },
  };
});
