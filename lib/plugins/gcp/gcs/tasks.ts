// Upload, Download, List, Delete and Copy: Cloud Storage objects to and from internal storage,
// streamed both ways (the client checks each download's checksum against the object's).
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TaskContext } from '../../types';
import { gcsError, gsUri, locationOf, storageClient } from './client';
import type { Blob, CopyProperties, DeleteProperties, DownloadProperties, ListProperties, UploadProperties } from './properties';

export async function upload(ctx: TaskContext, p: UploadProperties): Promise<{ uri: string }> {
  const to = gsUri(p.to, locationOf(ctx, 'to'));
  const source = await ctx.storage.get(p.from);
  const file = storageClient(ctx, p).bucket(to.bucket).file(to.path);
  const metadata: Record<string, unknown> = {};
  if (p.contentType) metadata.contentType = p.contentType;
  if (p.contentEncoding) metadata.contentEncoding = p.contentEncoding;
  if (p.contentDisposition) metadata.contentDisposition = p.contentDisposition;
  if (p.cacheControl) metadata.cacheControl = p.cacheControl;
  if (p.metadata) metadata.metadata = p.metadata;
  try {
    await pipeline(source, file.createWriteStream({ resumable: false, metadata }), { signal: ctx.signal });
  } catch (err) {
    throw gcsError(err, `Upload to '${p.to}'`, locationOf(ctx, 'to'));
  }
  ctx.logger.debug(`Uploaded '${p.from}' to '${p.to}'`);
  return { uri: `gs://${to.bucket}/${to.path}` };
}

export async function download(ctx: TaskContext, p: DownloadProperties): Promise<{ bucket: string; path: string; uri: string }> {
  const from = gsUri(p.from, locationOf(ctx, 'from'));
  const file = storageClient(ctx, p).bucket(from.bucket).file(from.path);
  try {
    // Metadata first: a missing object or bucket fails here, before any file is stored.
    await file.getMetadata();
    const stored = await ctx.storage.put(basename(from.path) || 'object', file.createReadStream());
    return { bucket: from.bucket, path: from.path, uri: stored.uri };
  } catch (err) {
    throw gcsError(err, `Download of '${p.from}'`, locationOf(ctx, 'from'));
  }
}

export async function list(ctx: TaskContext, p: ListProperties): Promise<{ blobs: Blob[] }> {
  const from = gsUri(p.from, locationOf(ctx, 'from'));
  const recursive = (p.listingType ?? 'DIRECTORY') === 'RECURSIVE';
  const filter = p.filter ?? 'BOTH';
  const regExp = p.regExp !== undefined ? new RegExp(`^${p.regExp}$`) : undefined;
  const bucket = storageClient(ctx, p).bucket(from.bucket);
  let files: Array<{ name: string; metadata: Record<string, any> }>;
  let prefixes: string[] = [];
  try {
    const [found, , response] = await bucket.getFiles({
      prefix: from.path, autoPaginate: true, versions: p.allVersions ?? false, ...(recursive ? {} : { delimiter: '/' }),
    });
    files = found;
    prefixes = ((response as { prefixes?: string[] } | undefined)?.prefixes) ?? [];
  } catch (err) {
    throw gcsError(err, `List of '${p.from}'`, locationOf(ctx, 'from'));
  }
  const blobs: Blob[] = [];
  for (const f of files) {
    const isDirectory = f.name.endsWith('/');
    blobs.push({
      uri: `gs://${from.bucket}/${f.name}`, bucket: from.bucket, name: f.name, isDirectory,
      ...(f.metadata.size !== undefined ? { size: Number(f.metadata.size) } : {}),
      ...(f.metadata.contentType ? { contentType: String(f.metadata.contentType) } : {}),
      ...(f.metadata.etag ? { etag: String(f.metadata.etag) } : {}),
      ...(f.metadata.generation !== undefined ? { generation: String(f.metadata.generation) } : {}),
      ...(f.metadata.timeCreated ? { createTime: String(f.metadata.timeCreated) } : {}),
      ...(f.metadata.updated ? { updateTime: String(f.metadata.updated) } : {}),
    });
  }
  for (const prefix of prefixes) blobs.push({ uri: `gs://${from.bucket}/${prefix}`, bucket: from.bucket, name: prefix, isDirectory: true });
  const kept = blobs.filter((b) => (filter === 'BOTH' || (filter === 'DIRECTORY') === b.isDirectory) && (!regExp || regExp.test(b.uri)));
  ctx.metrics.counter('size', kept.length);
  return { blobs: kept };
}

export async function remove(ctx: TaskContext, p: DeleteProperties): Promise<{ uri: string; deleted: boolean }> {
  const at = gsUri(p.uri, locationOf(ctx, 'uri'));
  try {
    await storageClient(ctx, p).bucket(at.bucket).file(at.path).delete();
    return { uri: p.uri, deleted: true };
  } catch (err) {
    if ((err as { code?: unknown }).code === 404 && !p.errorOnMissing) return { uri: p.uri, deleted: false };
    throw gcsError(err, `Delete of '${p.uri}'`, locationOf(ctx, 'uri'));
  }
}

export async function copy(ctx: TaskContext, p: CopyProperties): Promise<{ uri: string }> {
  const from = gsUri(p.from, locationOf(ctx, 'from'));
  const to = gsUri(p.to, locationOf(ctx, 'to'));
  const storage = storageClient(ctx, p);
  const source = storage.bucket(from.bucket).file(from.path);
  try {
    await source.copy(storage.bucket(to.bucket).file(to.path));
  } catch (err) {
    throw gcsError(err, `Copy of '${p.from}' to '${p.to}'`, locationOf(ctx, 'from'));
  }
  if (p.delete) {
    try {
      await source.delete();
    } catch (err) {
      throw gcsError(err, `Delete of '${p.from}' after its copy`, locationOf(ctx, 'delete'));
    }
  }
  return { uri: `gs://${to.bucket}/${to.path}` };
}
