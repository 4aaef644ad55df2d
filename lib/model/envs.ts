// What of the runtime's environment a flow may see. Aloft's own settings (ALOFT_*, including the API
// token) and secrets (SECRET_*) never reach a flow: `envs` holds only variables the user exposes
// with the ENV_ prefix, as Kestra does since 0.23 (it dropped KESTRA_ for the same reason).

/** `ENV_MY_VAR` is `{{ envs.my_var }}`. */
export const ENV_PREFIX = 'ENV_';

/** Variables a script never inherits: Aloft's settings and the secrets the local secret store reads. */
const PRIVATE_PREFIXES = ['ALOFT_', 'SECRET_'] as const;

/** `envs`: ENV_FOO_BAR becomes envs.foo_bar (lower case, prefix removed). */
export function envsFrom(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(ENV_PREFIX) && k.length > ENV_PREFIX.length && v !== undefined) {
      Object.defineProperty(out, k.slice(ENV_PREFIX.length).toLowerCase(), { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** Whether a variable of the runtime's environment may be passed on to a script's process. */
export function isPublicEnvName(name: string): boolean {
  return !PRIVATE_PREFIXES.some((p) => name.startsWith(p));
}
