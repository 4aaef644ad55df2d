// Google Cloud clients, created on first use from the injected config (never at import time).
// Adapters take clients as constructor arguments; this is the default way to make them.
//
// The client libraries are required on first use, not imported: evaluating @google-cloud/firestore
// (google-gax, gRPC, protobufjs and its protos) and @google-cloud/pubsub was most of a function's cold
// start, and a function that never opens a client should not pay for it. esbuild wraps each CommonJS
// module of a bundle in a function it runs on the first require, so these stay unevaluated until then.
// Adapters that need the libraries' values (Timestamp, FieldValue, FieldPath, GoogleAuth) get them from here too.
import type { Firestore, Settings as FirestoreSettings } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import type { GcpConfig } from '../../model/gcp-config';
import { closeGroupCommit } from './firestore-group-commit';

/* eslint-disable @typescript-eslint/no-require-imports -- lazy on purpose (see above) */
export const firestoreLib = (): typeof import('@google-cloud/firestore') => require('@google-cloud/firestore');
export const pubsubLib = (): typeof import('@google-cloud/pubsub') => require('@google-cloud/pubsub');
export const storageLib = (): typeof import('@google-cloud/storage') => require('@google-cloud/storage');
export const authLib = (): typeof import('google-auth-library') => require('google-auth-library');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface GcpClients {
  firestore(): Firestore;
  pubsub(): PubSub;
  storage(): Storage;
  /** Closes whatever was created. */
  close(): Promise<void>;
}

export function createFirestore(config: Pick<GcpConfig, 'projectId' | 'firestoreDatabase' | 'firestoreEmulatorHost'>): Firestore {
  const settings: FirestoreSettings = {
    projectId: config.projectId,
    databaseId: config.firestoreDatabase,
    ...(config.firestoreEmulatorHost ? { host: config.firestoreEmulatorHost, ssl: false } : {}),
  };
  return new (firestoreLib().Firestore)(settings);
}

export function createPubSub(config: Pick<GcpConfig, 'projectId' | 'pubsubEmulatorHost'>): PubSub {
  const { PubSub } = pubsubLib();
  if (!config.pubsubEmulatorHost) return new PubSub({ projectId: config.projectId });
  // The client parses "host:port" out of apiEndpoint itself and overwrites a separate `port` option.
  return new PubSub({ projectId: config.projectId, apiEndpoint: config.pubsubEmulatorHost.replace(/^https?:\/\//, ''), emulatorMode: true });
}

export function createStorage(config: Pick<GcpConfig, 'projectId' | 'storageEmulatorHost'>): Storage {
  const { Storage } = storageLib();
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
      // Writes still queued in the group commit go out first; terminate() refuses while a BulkWriter is open.
      const closeFirestore = async (db: Firestore): Promise<void> => {
        await closeGroupCommit(db);
        await db.terminate();
      };
      await Promise.all([firestore && closeFirestore(firestore), pubsub?.close()]);
      firestore = undefined;
      pubsub = undefined;
      storage = undefined;
    },
  };
}
