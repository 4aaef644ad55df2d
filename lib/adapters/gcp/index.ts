// The GCP adapters behind the ports: Firestore (state, flows, attempts, logs, trigger state, leases),
// Pub/Sub (worker tasks), Cloud Storage (internal storage) and Secret Manager (secrets).
// docs/cloud-model.md describes the documents, messages and limits.
export { GcpConfig, gcpConfigFromEnv } from '../../model/gcp-config';
export { gcpClients, createFirestore, createPubSub, createStorage, type GcpClients } from './clients';
export { FirestoreStateStore, type FirestoreStateStoreOptions } from './firestore-state-store';
export { FirestoreFlowRepository, type FirestoreFlowRepositoryOptions } from './firestore-flow-repository';
export { FirestoreAttemptLedger, type FirestoreAttemptLedgerOptions } from './firestore-attempt-ledger';
export { FirestoreLogStore, type FirestoreLogStoreOptions } from './firestore-log-store';
export { FirestoreTriggerStateStore, type FirestoreTriggerStateOptions } from './firestore-trigger-state';
export { FirestoreFlowDependencyStore, type FirestoreFlowDependencyOptions } from './firestore-flow-dependency-store';
export { FirestoreKeyValueStore, type FirestoreKeyValueStoreOptions } from './firestore-key-value-store';
export { FirestoreExecutionLease, type ExecutionLease, type LeaseHandle } from './lease';
export { PubSubTaskQueue, deadLetterTopicOf, workerTopicOf, type PubSubTaskQueueOptions, type StructuredLog } from './pubsub-task-queue';
export {
  MAX_MESSAGE_BYTES, decodePushMessage, decodeCloudEventMessage, decodeWorkerTask, encodeWorkerTask, loadVariables, type DecodedMessage,
} from './pubsub-messages';
export { GcsBlobStore, type GcsBlobStoreOptions } from './gcs-blob-store';
export { SecretManagerSecrets, type SecretManagerSecretsOptions } from './secret-manager-secrets';
