// What a script receives: its rendered commands and input files, and its environment.
import type { TaskContext } from '../types';
import { isPublicEnvName } from '../../model/envs';

export const toText = (v: unknown): string =>
  (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

export async function renderAll(ctx: TaskContext, commands: readonly string[], extra: Record<string, unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const command of commands) out.push(toText(await ctx.render(command, extra)));
  return out;
}

/** Renders names and contents; a null content (allowed by Kestra) is left out. */
export async function renderInputFiles(
  ctx: TaskContext, files: Record<string, string | null>, extra: Record<string, unknown>,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    if (content === null) continue;
    out[toText(await ctx.render(name, extra))] = toText(await ctx.render(content, extra));
  }
  return out;
}

/** The runtime's environment (without the SECRET_ variables) plus the task's `env`. */
export function processEnv(ctx: TaskContext, env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // Aloft's settings (the API token among them) and secrets stay out of the script's environment.
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined && isPublicEnvName(k)) out[k] = v;
  out.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return env ? Object.assign(out, env) : out;
}
