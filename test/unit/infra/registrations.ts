// Which entry points functions/ registers with functions-framework, read from the source text:
// `functions.http('api', ...)`, `ff.cloudEvent('workerJdbc', ...)`, or the named imports `http(...)`. Names must be literals so that
// deploy tooling and these tests can see them without loading the runtime.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const Signature = { http: 'http', cloudEvent: 'cloudEvent' } as const;
export type Signature = (typeof Signature)[keyof typeof Signature];

/** `entryPoint` is undefined when the name is not a literal (a loop over the manifest, say). */
export interface Registration { entryPoint?: string; signature: Signature; file: string; line: number }

const REGISTRATION = /(?:\b[\w$]+\s*\.\s*)?\b(http|cloudEvent)\s*(?:<[^>()]*>)?\s*\(\s*(?:(['"`])([A-Za-z_$][\w$]*)\2|(?=[A-Za-z_$]))/g;

/** Registrations in one source text. Comments are blanked first so examples in them do not count. */
export function registrationsIn(text: string, file: string): Registration[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
  const out: Registration[] = [];
  for (const m of code.matchAll(REGISTRATION)) {
    out.push({ entryPoint: m[3], signature: m[1] as Signature, file, line: code.slice(0, m.index).split('\n').length });
  }
  return out;
}

/** Every *.ts file under `dir` (recursively), except the manifest, which only lists names. */
export function registrationsUnder(dir: string): Registration[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && name !== 'manifest.ts') files.push(path);
    }
  };
  walk(dir);
  return files.sort().flatMap((f) => registrationsIn(readFileSync(f, 'utf8'), relative(dir, f)));
}

export interface Expected { entryPoint: string; trigger: 'http' | 'firestore' | 'pubsub' }

/** Differences between what functions/ registers and what the manifest lists. */
export function compareRegistrations(found: readonly Registration[], expected: readonly Expected[]): string[] {
  const problems: string[] = [];
  const dynamic = found.filter((r) => r.entryPoint === undefined).map((r) => `${r.file}:${r.line}`);
  const hint = dynamic.length ? `; ${dynamic.join(', ')} register names that are not literals, which neither deploy tooling nor this test can read` : '';
  for (const e of expected) {
    const want: Signature = e.trigger === 'http' ? Signature.http : Signature.cloudEvent;
    const regs = found.filter((r) => r.entryPoint === e.entryPoint);
    if (regs.length === 0) problems.push(`no file under functions/ registers "${e.entryPoint}" (expected functions.${want}('${e.entryPoint}', ...)${hint})`);
    if (regs.length > 1) problems.push(`"${e.entryPoint}" is registered ${regs.length} times: ${regs.map((r) => `${r.file}:${r.line}`).join(', ')}`);
    for (const r of regs) {
      if (r.signature !== want) problems.push(`${r.file}:${r.line} registers "${e.entryPoint}" with ${r.signature}; a ${e.trigger} trigger needs ${want}`);
    }
  }
  for (const r of found) {
    if (r.entryPoint !== undefined && !expected.some((e) => e.entryPoint === r.entryPoint)) problems.push(`${r.file}:${r.line} registers "${r.entryPoint}", which functions/manifest.ts does not list`);
  }
  return problems;
}
