// `outputFiles` of the 1.x script tasks: glob patterns matched, as Kestra does, against the path of
// every file under the working directory. A plain pattern is anchored at the working directory
// (`*.csv` matches top-level files only, `**.csv` any depth); `glob:` and `regex:` patterns are
// matched against the absolute path.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';

/** A regular expression for a Java-style glob: `*` stays within a folder, `**` crosses folders. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let inGroup = false;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) re += escape(glob[++i]);
    else if (c === '*') {
      if (glob[i + 1] === '*') { re += '.*'; i++; } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{' && !inGroup) { re += '(?:'; inGroup = true; }
    else if (c === '}' && inGroup) { re += ')'; inGroup = false; }
    else if (c === ',' && inGroup) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) { re += '\\['; continue; }
      let body = glob.slice(i + 1, close);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else re += escape(c);
  }
  if (inGroup) throw new AloftError(ErrorCode.FLOW_INVALID, `invalid glob '${glob}': unclosed {`, { property: 'outputFiles' });
  return new RegExp(`^${re}$`);
}

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Matchers over absolute, '/'-separated paths, one per pattern. */
export function outputMatchers(dir: string, patterns: readonly string[]): ((absolute: string) => boolean)[] {
  const root = dir.split(sep).join('/');
  return patterns.map((p) => {
    if (p.startsWith('regex:')) {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${p.slice(6)})$`);
      } catch (err) {
        throw new AloftError(ErrorCode.FLOW_INVALID, `invalid pattern '${p}': ${(err as Error).message}`, { property: 'outputFiles' });
      }
      return (path: string) => re.test(path);
    }
    const re = globToRegExp(p.startsWith('glob:') ? p.slice(5) : `${root}/${p.replace(/^\/+/, '')}`);
    return (path: string) => re.test(path);
  });
}

async function* walk(dir: string): AsyncIterable<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Stores every file matching a pattern; returns its path relative to `dir` -> kestra:/// URI. */
export async function uploadOutputFiles(ctx: TaskContext, dir: string, patterns: readonly string[]): Promise<Record<string, string>> {
  if (patterns.length === 0) return {};
  const matchers = outputMatchers(dir, patterns);
  return uploadFiles(ctx, dir, (absolute) => matchers.some((m) => m(absolute)));
}

/** Stores the files under `dir` (those `keep` accepts); returns their path relative to `dir` -> kestra:/// URI. */
export async function uploadFiles(ctx: TaskContext, dir: string, keep: (absolute: string) => boolean = () => true): Promise<Record<string, string>> {
  const uploaded: Record<string, string> = {};
  for await (const path of walk(dir)) {
    if (!keep(path.split(sep).join('/'))) continue;
    const rel = relative(dir, path).split(sep).join('/');
    // Nested files keep a distinct stored name, as Kestra's `{id}-{name}` does.
    const name = rel.includes('/') ? `${createHash('sha1').update(rel).digest('hex').slice(0, 8)}-${basename(rel)}` : rel;
    uploaded[rel] = (await ctx.storage.put(name, createReadStream(path))).uri;
  }
  return uploaded;
}
