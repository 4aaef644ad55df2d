// Google Cloud clients, created on first use from the injected config (never at import time).
// Adapters take clients as constructor arguments; this is the default way to make them.
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import type { GcpConfig } from './config';

export interface GcpClients {
  firestore(): Firestore;
  pubsub(): PubSub;
  storage(): Storage;
  /** Closes whatever was created. */
  close(): Promise<void>;
}

export function createFirestore(config: Pick<GcpConfig, 'projectId' | 'firestoreDatabase' | 'firestoreEmulatorHost'>): Firestore {
  return new Firestore({
    projectId: config.projectId,
    databaseId: config.firestoreDatabase,
    ...(config.firestoreEmulatorHost ? { host: config.firestoreEmulatorHost, ssl: false } : {}),
  });
}

export function createPubSub(config: Pick<GcpConfig, 'projectId' | 'pubsubEmulatorHost'>): PubSub {
  if (!config.pubsubEmulatorHost) return new PubSub({ projectId: config.projectId });
  // The client parses "host:port" out of apiEndpoint itself and overwrites a separate `port` option.
  return new PubSub({ projectId: config.projectId, apiEndpoint: config.pubsubEmulatorHost.replace(/^https?:\/\//, ''), emulatorMode: true });
}

export function createStorage(config: Pick<GcpConfig, 'projectId' | 'storageEmulatorHost'>): Storage {
  if (!config.storageEmulatorHost) return new Storage({ projectId: config.projectId });
  const base = config.storageEmulatorHost.includes('://') ? config.storageEmulatorHost : `http://${config.storageEmulatorHost}`;
  // The emulator needs no credentials; an explicit endpoint keeps the client off the metadata server.
  return new Storage({ projectId: config.projectId, apiEndpoint: base.replace(/\/+$/, ''), useAuthWithCustomEndpoint: false });
}

export function gcpClients(config: GcpConfig): GcpClients {
  let firestore: Firestore | undefined;
  let pubsub: PubSub | undefined;
  let storage: Storage | undefined;
  return {
    firestore: () => (firestore ??= createFirestore(config)),
    pubsub: () => (pubsub ??= createPubSub(config)),
    storage: () => (storage ??= createStorage(config)),
    close: async () => {
      await Promise.all([firestore?.terminate(), pubsub?.close()]);
      firestore = undefined;
      pubsub = undefined;
      storage = undefined;
    },
  };
}
