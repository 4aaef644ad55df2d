// Downloads and DeleteList: the objects a listing finds (files only), each downloaded into internal
// storage or deleted. Downloads then archives what it downloaded (action MOVE, DELETE or NONE), only
// once every download is stored, so a failed run leaves the objects where they were.
import { basename } from 'node:path';
import { AloftError, ErrorCode } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { gcsError, gsUri, locationOf, storageClient } from './client';
import type { Blob, DeleteListProperties, DownloadsProperties } from './properties';
import { copy, list } from './tasks';

/** Where MOVE puts an object: the directory, then the object's file name (Kestra's Downloads.archive). */
export function movedTo(moveDirectory: string, name: string): string {
  return `${moveDirectory.replace(/\/+$/, '')}/${basename(name)}`;
}

export async function downloads(ctx: TaskContext, p: DownloadsProperties): Promise<{ blobs: Blob[] }> {
  const { blobs } = await list(ctx, { ...p, filter: 'FILES' });
  const storage = storageClient(ctx, p);
  const used = new Set<string>();
  const stored: Blob[] = [];
  for (const blob of blobs) {
    // Two objects of a recursive listing may share a file name; each keeps its own file.
    let name = basename(blob.name) || 'object';
    for (let n = 1; used.has(name); n++) name = `${n}-${basename(blob.name)}`;
    used.add(name);
    const file = storage.bucket(blob.bucket).file(blob.name);
    try {
      const { uri } = await ctx.storage.put(name, file.createReadStream());
      stored.push({ ...blob, uri });
    } catch (err) {
      throw gcsError(err, `Download of '${blob.uri}'`, locationOf(ctx, 'from'));
    }
  }
  ctx.logger.debug(`Downloaded ${stored.length} files from '${p.from}'`);
  if (p.action === 'DELETE') {
    for (const blob of blobs) {
      try {
        await storage.bucket(blob.bucket).file(blob.name).delete();
      } catch (err) {
        throw gcsError(err, `Delete of '${blob.uri}'`, locationOf(ctx, 'action'));
      }
    }
  } else if (p.action === 'MOVE') {
    gsUri(p.moveDirectory!, locationOf(ctx, 'moveDirectory'));
    for (const blob of blobs) await copy(ctx, { ...p, from: blob.uri, to: movedTo(p.moveDirectory!, blob.name), delete: true });
  }
  return { blobs: stored };
}

export async function deleteList(ctx: TaskContext, p: DeleteListProperties): Promise<{ count: number; size: number }> {
  const { blobs } = await list(ctx, { ...p, filter: 'FILES' });
  const bucketOf = storageClient(ctx, p);
  let count = 0;
  let size = 0;
  const deleteOne = async (blob: Blob): Promise<void> => {
    ctx.logger.debug(`Deleting '${blob.uri}'`);
    try {
      await bucketOf.bucket(blob.bucket).file(blob.name).delete();
      count++;
      size += blob.size ?? 0;
    } catch (err) {
      // Gone meanwhile (another run deleted it): not counted, as Kestra's delete returning false.
      if ((err as { code?: unknown }).code !== 404) throw gcsError(err, `Delete of '${blob.uri}'`, locationOf(ctx, 'from'));
    }
  };
  const queue = [...blobs];
  const workers = Array.from({ length: Math.min(p.concurrent ?? 1, Math.max(1, queue.length)) }, async () => {
    for (let blob = queue.shift(); blob; blob = queue.shift()) await deleteOne(blob);
  });
  await Promise.all(workers);
  ctx.metrics.counter('count', count);
  ctx.metrics.counter('size', size);
  if (p.errorOnEmpty && count === 0) {
    throw new AloftError(ErrorCode.TASK_FAILED, `Unable to find any files to delete on '${p.from}'`, locationOf(ctx, 'from'));
  }
  ctx.logger.info(`Deleted ${count} files for ${size} bytes`);
  return { count, size };
}
