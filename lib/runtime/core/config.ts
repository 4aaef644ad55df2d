// Runtime configuration, read from an injected env, parsed once, lazily, with zod.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';

const ms = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** The recovery sweep's cut-offs (core/recovery.ts), the same settings in both runtimes. */
export const RecoveryConfig = z.object({
  /** How often a worker records that an attempt is alive. */
  ALOFT_HEARTBEAT_MS: ms(30_000),
  /** An attempt whose heartbeat is older than this is lost: its worker died. Keep it well above the heartbeat. */
  ALOFT_LOST_AFTER_MS: ms(120_000),
  /** Outbox entries older than this were not carried out (their process crashed, or the effect failed): the sweep carries them out. */
  ALOFT_OUTBOX_REPUBLISH_MS: ms(60_000),
  /** Pending events older than this with nobody folding them are folded by the sweep. */
  ALOFT_SWEEP_AFTER_MS: ms(60_000),
});

export const LocalConfig = z.object({
  ...RecoveryConfig.shape,
  ALOFT_DATA_DIR: z.string().default('.aloft'),
  /** How often the embedded runtime runs the recovery sweep (0 turns the periodic sweep off; the sweep at start stays). */
  ALOFT_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(0).default(10_000),
  ALOFT_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(64),
  ALOFT_GLOBALS: z.string().optional().transform((s, ctx) => {
    if (!s) return {} as Record<string, unknown>;
    try {
      const v = JSON.parse(s);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch { /* reported below */ }
    ctx.addIssue({ code: 'custom', message: 'ALOFT_GLOBALS must be a JSON object' });
    return z.NEVER;
  }),
});
export type LocalConfig = z.infer<typeof LocalConfig>;

export type Env = Readonly<Record<string, string | undefined>>;

export function parseConfig<S extends z.ZodType>(schema: S, env: Env): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AloftError(ErrorCode.CONFIG_INVALID, `invalid configuration: ${msg}`);
  }
  return parsed.data;
}

/** Memoises a config parse so it happens once, on first use. */
export function lazyConfig<T>(read: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: read() }).v;
}

/** `envs` variables: ENV_FOO_BAR -> envs.foo_bar, as Kestra does (never Aloft's own ALOFT_ settings). */
export { envsFrom } from '../../model/envs';
