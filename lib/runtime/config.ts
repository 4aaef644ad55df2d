// Runtime configuration, read from an injected env, parsed once, lazily, with zod.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../model/errors';

export const LocalConfig = z.object({
  ALOFT_DATA_DIR: z.string().default('.aloft'),
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
export { envsFrom } from '../model/envs';
