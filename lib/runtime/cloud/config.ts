// The cloud runtime's configuration: the GCP adapters' (project, database, bucket, prefixes, emulator
// hosts; lib/model/gcp-config.ts) plus the runtime's own knobs, from an injected env, parsed once.
import { z } from 'zod';
import { gcpConfigFromEnv, type GcpConfig } from '../../model/gcp-config';
import { envsFrom, LocalConfig, parseConfig, RecoveryConfig, type Env } from '../core/config';

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const CloudRuntimeConfig = z.object({
  ...RecoveryConfig.shape,
  /** How long an executor holds an execution's lease without renewing it; a crashed holder blocks it this long. */
  ALOFT_LEASE_MS: ms(60_000),
  /** Wake-ups due sooner than this are also fired by the executor invocation that scheduled them (0 turns it off). */
  ALOFT_INLINE_WAKEUP_MS: z.coerce.number().int().min(0).default(30_000),
  /** The function's own time limit (Cloud Functions stop event-driven functions at 9 minutes). */
  ALOFT_FUNCTION_TIMEOUT_MS: ms(540_000),
  /** Resumable tasks hand over to a continuation this long before the function's limit. */
  ALOFT_DEADLINE_MARGIN_MS: ms(30_000),
  /** How often a running attempt looks for a stop request (kill). */
  ALOFT_STOP_POLL_MS: ms(5_000),
  /** Items each scheduler step handles per invocation (outbox entries, lost attempts, wake-ups, executions). */
  ALOFT_SCHEDULER_BATCH: ms(500),
  /**
   * Attempts are announced (AttemptStarted) only when they run longer than this; quicker ones report just
   * their result, saving a Firestore write and an executor invocation per task. 0 announces every attempt.
   */
  ALOFT_START_NOTICE_MS: z.coerce.number().int().min(0).default(1_000),
  /** The longest a scheduler tick reads a Kafka RealtimeTrigger's group, sooner once caught up (no process stays up in the cloud). */
  ALOFT_KAFKA_REALTIME_WINDOW_MS: ms(30_000),
  /** The time zone of Schedule triggers without their own. */
  ALOFT_TIMEZONE: z.string().default('UTC'),
  /** Scratch space of task attempts (Cloud Functions offer an in-memory /tmp). */
  ALOFT_TEMP_DIR: z.string().default('/tmp/aloft'),
  /** Where `secret()` reads: Secret Manager with the SECRET_<NAME> env fallback, or the env only. */
  ALOFT_SECRETS: z.enum(['secret-manager', 'env']).default('secret-manager'),
  ALOFT_GLOBALS: LocalConfig.shape.ALOFT_GLOBALS,
});
export type CloudRuntimeConfig = z.infer<typeof CloudRuntimeConfig>;

export interface CloudConfig {
  runtime: CloudRuntimeConfig;
  gcp: GcpConfig;
  /** `envs` of expressions: ALOFT_FOO -> envs.foo. */
  envs: Record<string, string>;
}

/** Parses the whole configuration; CONFIG_INVALID names every bad variable. */
export function cloudConfigFromEnv(env: Env, gcpOverrides: Partial<GcpConfig> = {}): CloudConfig {
  return { runtime: parseConfig(CloudRuntimeConfig, env), gcp: gcpConfigFromEnv(env, gcpOverrides), envs: envsFrom(env) };
}
