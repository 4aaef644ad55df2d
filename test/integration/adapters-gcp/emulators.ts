// Connection to the emulators started by scripts/services/*-emulator.sh, for the GCP adapter tests.
// A missing variable fails the test with the script to run; nothing is skipped silently.
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import { createFirestore, createPubSub, createStorage } from '../../../lib/adapters/gcp/clients';

const SCRIPTS: Record<string, string> = {
  FIRESTORE_EMULATOR_HOST: 'scripts/services/firestore-emulator.sh',
  PUBSUB_EMULATOR_HOST: 'scripts/services/pubsub-emulator.sh',
  STORAGE_EMULATOR_HOST: 'scripts/services/storage-emulator.sh',
};

export function emulatorHost(name: keyof typeof SCRIPTS & string): string {
  const value = process.env[name];
  if (!value) {
    const script = SCRIPTS[name];
    const service = script.replace(/^.*\//, '').replace(/\.sh$/, '');
    throw new Error(`${name} is not set: run \`${script} start\` and load .aloft/run/${service}.env (scripts/test-all.sh does both)`);
  }
  // Google clients probe the metadata server for credentials unless told not to.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  return value;
}

/** A project id of its own per test file: the emulators keep projects apart. */
export const uniqueProject = (label: string): string => `aloft-${label}-${randomUUID().slice(0, 8)}`;

/** A short prefix for collections, topics or storage folders, unique per call. */
export const uniquePrefix = (label = 't'): string => `${label}${randomUUID().replace(/-/g, '').slice(0, 10)}_`;

export function firestoreFor(projectId: string): Firestore {
  return createFirestore({ projectId, firestoreDatabase: '(default)', firestoreEmulatorHost: emulatorHost('FIRESTORE_EMULATOR_HOST') });
}

export function pubsubFor(projectId: string): PubSub {
  return createPubSub({ projectId, pubsubEmulatorHost: emulatorHost('PUBSUB_EMULATOR_HOST') });
}

export function storageFor(projectId: string): Storage {
  return createStorage({ projectId, storageEmulatorHost: emulatorHost('STORAGE_EMULATOR_HOST') });
}

/** Drops every document of a project in the Firestore emulator (its own REST endpoint). */
export async function wipeFirestore(projectId: string): Promise<void> {
  const host = emulatorHost('FIRESTORE_EMULATOR_HOST');
  await fetch(`http://${host}/emulator/v1/projects/${projectId}/databases/(default)/documents`, { method: 'DELETE' });
}

/**
 * One Firestore client per test file, on a project of its own, wiped and closed after the file.
 * Call at the top level of a test file.
 */
export function firestoreForThisFile(label: string): () => Firestore {
  const projectId = uniqueProject(label);
  let db: Firestore | undefined;
  afterAll(async () => {
    if (!db) return;
    await wipeFirestore(projectId);
    await db.terminate();
  });
  return () => (db ??= firestoreFor(projectId));
}
