// The value of a SECRET input (or flow output) as the execution keeps it: marked, so that whatever
// shows an execution (the API, `aloft run --json`) masks it without knowing the flow, and the worker
// alone gives templates the clear text, masking it in the task's logs and outputs. Kestra encrypts
// the value instead (EncryptedString); see docs/flows.md for why Aloft marks it.
import { z } from 'zod';

export const SECRET_VALUE_TYPE = 'aloft.datatype:secret' as const;
/** What a masked secret shows, as secret() values in logs. */
export const MASK = '******';

export const SecretValue = z.object({ type: z.literal(SECRET_VALUE_TYPE), value: z.string() }).strict();
export type SecretValue = z.infer<typeof SecretValue>;

export const secretValue = (clear: string): SecretValue => ({ type: SECRET_VALUE_TYPE, value: clear });

export function isSecretValue(v: unknown): v is SecretValue {
  return !!v && typeof v === 'object' && (v as { type?: unknown }).type === SECRET_VALUE_TYPE
    && typeof (v as { value?: unknown }).value === 'string' && Object.keys(v).length === 2;
}

/** A copy of `value` with every secret replaced by `replace(clear)`; the value itself when it holds none. */
function mapSecrets(value: unknown, replace: (clear: string) => unknown, depth = 0): unknown {
  if (isSecretValue(value)) return replace(value.value);
  if (!value || typeof value !== 'object' || depth > 100) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((x, i) => {
      const y = mapSecrets(x, replace, depth + 1);
      if (y !== x) (out ??= [...value])[i] = y;
    });
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(value)) {
    const x = (value as Record<string, unknown>)[k];
    const y = mapSecrets(x, replace, depth + 1);
    if (y !== x) {
      out ??= { ...(value as Record<string, unknown>) };
      Object.defineProperty(out, k, { value: y, writable: true, enumerable: true, configurable: true });
    }
  }
  return out ?? value;
}

/** Secrets shown as `******` (API answers, printed executions). */
export const maskSecretValues = <T>(value: T): T => mapSecrets(value, () => MASK) as T;

/** Secrets as their clear text (for the worker's templates); `seen` gets each clear value, to mask it. */
export const revealSecretValues = <T>(value: T, seen: (clear: string) => void): T =>
  mapSecrets(value, (clear) => {
    seen(clear);
    return clear;
  }) as T;
