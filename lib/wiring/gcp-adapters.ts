// The GCP adapters behind the cloud runtime, over clients created on first use from the config
// (lib/adapters/gcp/clients.ts): Firestore for state, flows, attempts, logs, trigger state, leases,
// wake-ups and stop requests; Pub/Sub for worker tasks and dead letters; Cloud Storage for files.
import { gcpClients, type GcpClients } from '../adapters/gcp/clients';
import { FirestoreAttemptLedger } from '../adapters/gcp/firestore-attempt-ledger';
import { FirestoreAttemptStops, FirestoreStrandedExecutions, FirestoreWakeUpStore } from '../adapters/gcp/firestore-cloud-control';
import { FirestoreFlowRepository } from '../adapters/gcp/firestore-flow-repository';
import { FirestoreLogStore } from '../adapters/gcp/firestore-log-store';
import { FirestoreStateStore } from '../adapters/gcp/firestore-state-store';
import { FirestoreFlowDependencyStore } from '../adapters/gcp/firestore-flow-dependency-store';
import { FirestoreTriggerStateStore } from '../adapters/gcp/firestore-trigger-state';
import { FirestoreKeyValueStore } from '../adapters/gcp/firestore-key-value-store';
import { FirestoreExecutionLease } from '../adapters/gcp/lease';
import { ALONE_ATTRIBUTE, attributeValue, decodeCloudEventMessage } from '../adapters/gcp/pubsub-messages';
import { PubSubTaskQueue, deadLetterTopicOf, workerTopicOf } from '../adapters/gcp/pubsub-task-queue';
import { GcsBlobStore } from '../adapters/gcp/gcs-blob-store';
import { SecretManagerSecrets } from '../adapters/gcp/secret-manager-secrets';
import { EnvSecrets } from '../adapters/local';
import { AloftError, ErrorCode } from '../model/errors';
import type { BlobStore, Secrets } from '../ports';
import type { DeadLetter } from '../ports/task-queue';
import type { CloudConfig } from '../runtime/cloud/config';
import type { CloudAdapters } from '../runtime/cloud/deps';
import type { AdapterContext } from '../runtime/cloud/deps';
import { SystemClock } from '../adapters/local/system';

/** functions/manifest.ts's PUBSUB_TRIGGER_TOPIC (lib/ does not import functions/; a unit test holds them equal). */
export const PUBSUB_TRIGGER_TOPIC = 'aloft-pubsub-trigger';

/**
 * Where the executor publishes the Firestore events it cannot read. It consumes no topic, so this is
 * not `{topic}-dead-letter` of anything; infra/, scripts/deploy-gcloud.sh and the emulated cloud
 * create it under this name (tests hold them to it).
 */
export const EXECUTOR_DEAD_LETTER_TOPIC = 'aloft-executor-dead-letter';

/** The dead-letter group of the executor's refused events (ExecutorHandlerDeps.deadLetter). */
export const EXECUTOR_GROUP = 'executor';

/** The dead-letter topic of a consumer: a worker group, `pubsub-trigger` or `executor`; before ALOFT_TOPIC_PREFIX. */
export function deadLetterTopicFor(group: string): string {
  if (group === EXECUTOR_GROUP) return EXECUTOR_DEAD_LETTER_TOPIC;
  return deadLetterTopicOf(group === 'pubsub-trigger' ? PUBSUB_TRIGGER_TOPIC : workerTopicOf(group));
}

export function gcpAdapters(config: CloudConfig, ctx: AdapterContext): CloudAdapters {
  const clients = gcpClients(config.gcp);
  const fs = { firestore: clients.firestore(), collectionPrefix: config.gcp.collectionPrefix };
  const blobs = blobStore(config, clients.storage);
  const topicPrefix = config.gcp.topicPrefix;
  const queue = new PubSubTaskQueue({ pubsub: clients.pubsub(), blobs, topicPrefix, log: (entry) => ctx.logSink({ component: 'pubsub', ...entry }) });
  return {
    store: new FirestoreStateStore(fs),
    flowRepo: new FirestoreFlowRepository(fs),
    flowDependencies: new FirestoreFlowDependencyStore(fs),
    ledger: new FirestoreAttemptLedger(fs),
    logs: new FirestoreLogStore(fs),
    triggerState: new FirestoreTriggerStateStore(fs),
    kv: new FirestoreKeyValueStore({ ...fs, blobs }),
    lease: new FirestoreExecutionLease(fs),
    wakeUpStore: new FirestoreWakeUpStore(fs),
    stops: new FirestoreAttemptStops(fs),
    stranded: new FirestoreStrandedExecutions(fs),
    blobs,
    queue,
    secrets: secrets(config, ctx),
    decodeWorkerMessage: (event) => {
      const decoded = decodeCloudEventMessage(event);
      return decoded.ok ? { ...decoded, alone: decoded.attributes[ALONE_ATTRIBUTE] === 'true' } : decoded;
    },
    async deadLetter(letter) {
      if (letter.group === EXECUTOR_GROUP) return publishExecutorDeadLetter(clients.pubsub(), `${topicPrefix}${deadLetterTopicFor(letter.group)}`, letter);
      const topic = letter.group === 'pubsub-trigger' ? `${topicPrefix}${PUBSUB_TRIGGER_TOPIC}` : queue.topicName(letter.group);
      await queue.deadLetter(topic, { ok: false, reason: letter.reason, data: letter.data, attributes: letter.attributes ?? {} }, letter.group);
    },
    close: () => clients.close(),
  };
}

/**
 * The executor's dead letter: the event as JSON text, with `reason` (as the queue's dead letters, at most
 * 1,024 characters) and `group` attributes. The executor has logged it as a structured error already.
 */
async function publishExecutorDeadLetter(pubsub: ReturnType<GcpClients['pubsub']>, topic: string, letter: DeadLetter): Promise<void> {
  await pubsub.topic(topic).publishMessage({
    data: Buffer.from(letter.data),
    attributes: { ...letter.attributes, reason: attributeValue(letter.reason), group: EXECUTOR_GROUP },
  });
}

/** Internal storage in the bucket; without ALOFT_BUCKET every file operation fails with CONFIG_INVALID. */
function blobStore(config: CloudConfig, storage: GcpClients['storage']): BlobStore {
  const { bucket, storagePrefix } = config.gcp;
  // The clock stamps execution files with customTime, which the bucket's retention rule deletes by.
  if (bucket) return new GcsBlobStore({ storage: storage(), bucket, prefix: storagePrefix, clock: new SystemClock() });
  const missing = async (): Promise<never> => {
    throw new AloftError(ErrorCode.CONFIG_INVALID, 'internal storage needs a bucket: set ALOFT_BUCKET');
  };
  return { put: missing, get: missing, exists: missing, list: missing, delete: missing };
}

/** Secret Manager with the SECRET_<NAME> env fallback; `ALOFT_SECRETS=env` uses the env only (the emulated cloud has no Secret Manager). */
function secrets(config: CloudConfig, ctx: AdapterContext): Secrets {
  if (config.runtime.ALOFT_SECRETS === 'env') return new EnvSecrets(ctx.env);
  return new SecretManagerSecrets({
    projectId: config.gcp.secretsProject ?? config.gcp.projectId, endpoint: config.gcp.secretManagerEndpoint, env: ctx.env,
  });
}
