// CreateBucket, UpdateBucket, DeleteBucket (Kestra's AbstractBucket settings) and Compose (the files a
// listing finds, concatenated into one object by Cloud Storage itself).
import { AloftError, ErrorCode } from '../../../model/errors';
import type { TaskContext } from '../../types';
import { gcsError, gsUri, locationOf, storageClient } from './client';
import type { BucketOutputs, ComposeProperties, CreateBucketProperties, DeleteBucketProperties, UpdateBucketProperties } from './properties';
import { list } from './tasks';

/** The bucket resource's fields for the settings given (only those: an update changes nothing else). */
function metadataOf(p: UpdateBucketProperties): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (p.location !== undefined) m.location = p.location;
  if (p.storageClass !== undefined) m.storageClass = p.storageClass;
  if (p.requesterPays !== undefined) m.billing = { requesterPays: p.requesterPays };
  if (p.versioningEnabled !== undefined) m.versioning = { enabled: p.versioningEnabled };
  if (p.indexPage !== undefined || p.notFoundPage !== undefined) m.website = { mainPageSuffix: p.indexPage, notFoundPage: p.notFoundPage };
  if (p.defaultKmsKeyName !== undefined) m.encryption = { defaultKmsKeyName: p.defaultKmsKeyName };
  if (p.defaultEventBasedHold !== undefined) m.defaultEventBasedHold = p.defaultEventBasedHold;
  if (p.retentionPeriod !== undefined) m.retentionPolicy = { retentionPeriod: String(p.retentionPeriod) };
  if (p.labels !== undefined) m.labels = p.labels;
  return m;
}

const outputs = (name: string, created: boolean, updated: boolean): BucketOutputs => ({ bucket: name, bucketUri: `gs://${name}`, created, updated });

export async function createBucket(ctx: TaskContext, p: CreateBucketProperties): Promise<BucketOutputs> {
  const bucket = storageClient(ctx, p).bucket(p.name);
  const metadata = metadataOf(p);
  try {
    await storageClient(ctx, p).createBucket(p.name, metadata);
    ctx.logger.debug(`Created bucket '${p.name}'`);
    return outputs(p.name, true, false);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 409 || (p.ifExists ?? 'ERROR') === 'ERROR') throw gcsError(err, `CreateBucket '${p.name}'`, locationOf(ctx, 'name'));
  }
  if (p.ifExists === 'SKIP') {
    ctx.logger.info(`Bucket '${p.name}' exists; skipping`);
    return outputs(p.name, false, false);
  }
  try {
    await bucket.setMetadata(metadata);
  } catch (err) {
    throw gcsError(err, `UpdateBucket '${p.name}'`, locationOf(ctx, 'name'));
  }
  ctx.logger.info(`Bucket '${p.name}' exists; updated it`);
  return outputs(p.name, false, true);
}

export async function updateBucket(ctx: TaskContext, p: UpdateBucketProperties): Promise<BucketOutputs> {
  try {
    await storageClient(ctx, p).bucket(p.name).setMetadata(metadataOf(p));
  } catch (err) {
    throw gcsError(err, `UpdateBucket '${p.name}'`, locationOf(ctx, 'name'));
  }
  return outputs(p.name, false, true);
}

export async function deleteBucket(ctx: TaskContext, p: DeleteBucketProperties): Promise<{ bucket: string }> {
  try {
    await storageClient(ctx, p).bucket(p.name).delete();
  } catch (err) {
    throw gcsError(err, `DeleteBucket '${p.name}'`, locationOf(ctx, 'name'));
  }
  return { bucket: p.name };
}

export async function compose(ctx: TaskContext, p: ComposeProperties): Promise<{ uri: string }> {
  const to = gsUri(p.to, locationOf(ctx, 'to'));
  const { blobs } = await list(ctx, { ...p, ...p.list, filter: 'FILES' });
  if (blobs.length === 0 && !p.allowEmpty) throw new AloftError(ErrorCode.TASK_FAILED, `No files found in '${p.list.from}' to compose`, locationOf(ctx, 'list'));
  const storage = storageClient(ctx, p);
  ctx.logger.debug(`Compose from ${blobs.map((b) => b.uri).join(', ')} to '${p.to}'`);
  try {
    // Cloud Storage composes objects of the destination's bucket, at most 32 per call.
    const [file] = await storage.bucket(to.bucket).combine(blobs.map((b) => storage.bucket(b.bucket).file(b.name)), to.path);
    const [metadata] = await file.getMetadata();
    ctx.metrics.counter('count', blobs.length);
    ctx.metrics.counter('size', Number(metadata.size ?? 0));
  } catch (err) {
    throw gcsError(err, `Compose to '${p.to}'`, locationOf(ctx, 'to'));
  }
  return { uri: `gs://${to.bucket}/${to.path}` };
}
