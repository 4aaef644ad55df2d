// Where a deployment lives on Google Cloud (project, database, bucket, prefixes, emulator hosts), read
// from an injected env, parsed once: shared by the cloud runtime and the GCP adapters. Emulator hosts are
// passed to the clients explicitly, so a test can point one process at its own emulators.
import { z } from 'zod';
import { AloftError, ErrorCode } from './errors';

const optional = z.string().trim().min(1).optional().catch(undefined);

export const GcpConfig = z.object({
  /** The Google Cloud project (GOOGLE_CLOUD_PROJECT, or GCLOUD_PROJECT as older tools set it). */
  projectId: z.string().min(1),
  firestoreDatabase: z.string().min(1).default('(default)'),
  /** Prepended to top-level collection names: one prefix per test isolates it in a shared emulator. */
  collectionPrefix: z.string().regex(/^[A-Za-z0-9_-]*$/).default(''),
  /** Prepended to topic and subscription names. */
  topicPrefix: z.string().regex(/^[A-Za-z0-9_.~+%-]*$/).default(''),
  bucket: z.string().min(3).optional(),
  /** A folder inside the bucket for internal storage (no leading or trailing slash). */
  storagePrefix: z.string().regex(/^(?:[^/]+(?:\/[^/]+)*)?$/).default(''),
  firestoreEmulatorHost: optional,
  pubsubEmulatorHost: optional,
  storageEmulatorHost: optional,
  /** Secret Manager's REST endpoint; a loopback fake in tests. */
  secretManagerEndpoint: z.string().url().default('https://secretmanager.googleapis.com'),
  /** The project holding secrets, when it is not the deployment's own. */
  secretsProject: optional,
});
export type GcpConfig = z.infer<typeof GcpConfig>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads the configuration from environment variables; overrides win (tests pass prefixes this way). */
export function gcpConfigFromEnv(env: Env, overrides: Partial<GcpConfig> = {}): GcpConfig {
  const raw = {
    projectId: env.GOOGLE_CLOUD_PROJECT ?? env.GCLOUD_PROJECT ?? env.GCP_PROJECT,
    firestoreDatabase: env.ALOFT_FIRESTORE_DATABASE,
    collectionPrefix: env.ALOFT_COLLECTION_PREFIX,
    topicPrefix: env.ALOFT_TOPIC_PREFIX,
    bucket: env.ALOFT_BUCKET,
    storagePrefix: env.ALOFT_STORAGE_PREFIX,
    firestoreEmulatorHost: env.FIRESTORE_EMULATOR_HOST,
    pubsubEmulatorHost: env.PUBSUB_EMULATOR_HOST,
    storageEmulatorHost: env.STORAGE_EMULATOR_HOST,
    secretManagerEndpoint: env.ALOFT_SECRET_MANAGER_ENDPOINT,
    secretsProject: env.ALOFT_SECRETS_PROJECT,
    ...overrides,
  };
  const parsed = GcpConfig.safeParse(raw);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new AloftError(ErrorCode.CONFIG_INVALID, `invalid GCP configuration: ${msg}`, {},
      'set GOOGLE_CLOUD_PROJECT (and ALOFT_BUCKET for internal storage)');
  }
  return parsed.data;
}
