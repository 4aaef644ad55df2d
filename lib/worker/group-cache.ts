// A WorkingDirectory's `cache`: the files matching its patterns, saved at the end of the group when
// any of them changed since the cache was restored, and restored into the folder at the next start
// unless older than `ttl`. Kept per flow, task and loop value in the flow's `states` storage, as JSON
// Lines (a header, then one file per line, base64), read and written one file at a time.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parseDurationMs } from '../model/duration';
import { flowStateKey, keyToUri } from '../model/storage-uri';
import { outputMatchers } from '../plugins/scripts/output-files';
import { checkFileName } from '../plugins/scripts/files';
import type { BlobStore } from '../ports/blob-store';

export interface CacheSpec {
  patterns: readonly string[];
  ttl?: string;
}

export interface CacheOwner {
  namespace: string;
  flowId: string;
  taskId: string;
  /** The WorkingDirectory run's loop value: each value has a cache of its own, as in Kestra. */
  value?: string;
}

/** Where the cache of a WorkingDirectory lives. */
export function cacheUri(o: CacheOwner): string {
  const file = o.value === undefined ? 'cache.jsonl' : `${createHash('sha1').update(o.value).digest('hex').slice(0, 16)}.jsonl`;
  return keyToUri(flowStateKey(o.namespace, o.flowId, `workingdirectory-cache-${o.taskId}`, file));
}

/**
 * Restores the cache into `dir` when there is one younger than `ttl`; returns the latest modification
 * time of the files restored (a file changed later is newer), or undefined when there was none.
 */
export async function restoreCache(blobs: BlobStore, o: CacheOwner, spec: CacheSpec, dir: string, now: Date): Promise<number | undefined> {
  const uri = cacheUri(o);
  if (!(await blobs.exists(uri))) return undefined;
  const ttl = spec.ttl === undefined ? undefined : parseDurationMs(spec.ttl);
  const lines = createInterface({ input: await blobs.get(uri), crlfDelay: Infinity });
  let first = true;
  let restored = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    const entry = JSON.parse(line) as { createdAt?: number; path?: string; data?: string; mode?: number };
    if (first) {
      first = false;
      if (ttl !== undefined && (entry.createdAt ?? 0) + ttl < now.getTime()) {
        lines.close();
        return undefined;
      }
      continue;
    }
    if (typeof entry.path !== 'string' || typeof entry.data !== 'string') continue;
    checkFileName(entry.path, 'cache');
    const path = join(dir, entry.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(entry.data, 'base64'));
    // Its permission bits too (a cached virtualenv's or node_modules' executables); never set-id bits.
    if (typeof entry.mode === 'number') await chmod(path, entry.mode & 0o777);
    restored = Math.max(restored, (await stat(path)).mtimeMs);
  }
  return restored;
}

async function* walk(dir: string): AsyncIterable<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Saves the files of `dir` matching the patterns when one of them changed after `restoredAt`; returns whether it saved. */
export async function saveCache(blobs: BlobStore, o: CacheOwner, spec: CacheSpec, dir: string, restoredAt: number | undefined, now: Date): Promise<boolean> {
  const matchers = outputMatchers(dir, spec.patterns);
  const matched: string[] = [];
  let changed = false;
  for await (const path of walk(dir)) {
    if (!matchers.some((m) => m(path.split(sep).join('/')))) continue;
    matched.push(path);
    if (!changed) changed = restoredAt === undefined || (await stat(path)).mtimeMs > restoredAt;
  }
  if (!changed) return false;
  async function* lines(): AsyncIterable<string> {
    yield `${JSON.stringify({ createdAt: now.getTime() })}\n`;
    for (const path of matched) {
      const chunks: Buffer[] = [];
      for await (const chunk of createReadStream(path)) chunks.push(chunk as Buffer);
      const mode = (await stat(path)).mode & 0o777;
      yield `${JSON.stringify({ path: relative(dir, path).split(sep).join('/'), mode, data: Buffer.concat(chunks).toString('base64') })}\n`;
    }
  }
  await blobs.put(cacheUri(o), Readable.from(lines()));
  return true;
}
