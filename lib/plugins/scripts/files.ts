// Input and output files of a script's working directory. Names are relative paths that stay
// inside the working directory.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { globToRegExp } from './output-files';

export function checkFileName(name: string, property: string): void {
  const parts = name.split('/');
  if (
    name.length === 0 || isAbsolute(name) || name.includes('\\') || name.includes('\0') ||
    parts.some((p) => p === '..' || p === '.' || p === '')
  ) {
    throw new AloftError(ErrorCode.FLOW_INVALID, `invalid file name '${name}': use a relative path inside the working directory`, { property });
  }
}

/** Writes each input file; a value that is a kestra:// URI is copied from internal storage. */
export async function writeInputFiles(ctx: TaskContext, dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    checkFileName(name, `inputFiles.${name}`);
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    if (content.startsWith('kestra://')) await pipeline(await ctx.storage.get(content.trim()), createWriteStream(path));
    else await writeFile(path, content);
  }
}

/**
 * Copies the files of the execution's namespace into the working directory, keeping their paths:
 * those matching an `include` glob (all without one) and no `exclude` glob. Globs are matched against
 * the path relative to the namespace's files (`*.py` top-level, `**.py` or `scripts/**` deeper).
 */
export async function writeNamespaceFiles(ctx: TaskContext, dir: string, opts: { include?: string[]; exclude?: string[] }): Promise<number> {
  const include = (opts.include ?? []).map((g) => globToRegExp(g.replace(/^\/+/, '')));
  const exclude = (opts.exclude ?? []).map((g) => globToRegExp(g.replace(/^\/+/, '')));
  let copied = 0;
  for (const file of await ctx.namespaceFiles.list()) {
    if (include.length > 0 && !include.some((re) => re.test(file.path))) continue;
    if (exclude.some((re) => re.test(file.path))) continue;
    checkFileName(file.path, 'namespaceFiles');
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await pipeline(await ctx.namespaceFiles.get(file.path), createWriteStream(path));
    copied++;
  }
  ctx.logger.debug(`copied ${copied} namespace file${copied === 1 ? '' : 's'} into the working directory`);
  return copied;
}

/** Creates an empty file per output name; returns name -> absolute path (the `outputFiles` variable). */
export async function createOutputFiles(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const paths: Record<string, string> = {};
  for (const name of names) {
    checkFileName(name, 'outputFiles');
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '', { flag: 'a' });
    paths[name] = path;
  }
  return paths;
}
