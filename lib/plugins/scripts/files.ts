// Input and output files of a script's working directory. Names are relative paths that stay
// inside the working directory.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';

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
