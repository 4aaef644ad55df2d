// The Cloud Storage task types of the `gcp` plugin group (io.kestra.plugin.gcp.gcs.*).
import type { z } from 'zod';
import type { RunnableTaskDefinition } from '../../types';
import { deleteList, downloads } from './batch';
import { compose, createBucket, deleteBucket, updateBucket } from './buckets';
import {
  BucketOutputs, ComposeOutputs, ComposeProperties, CopyOutputs, CopyProperties, CreateBucketProperties, DeleteBucketOutputs, DeleteBucketProperties,
  DeleteListOutputs, DeleteListProperties, DeleteOutputs, DeleteProperties, DownloadOutputs, DownloadProperties, DownloadsOutputs, DownloadsProperties,
  ListOutputs, ListProperties, UpdateBucketProperties, UploadOutputs, UploadProperties,
} from './properties';
import { copy, download, list, remove, upload } from './tasks';

function task<P, O>(name: string, properties: z.ZodType<P>, outputs: z.ZodType<O>, run: RunnableTaskDefinition<P, O>['run']): RunnableTaskDefinition<P, O> {
  return { type: `io.kestra.plugin.gcp.gcs.${name}`, aliases: [], group: 'gcp', properties, outputs, run };
}

export const gcsTasks: readonly RunnableTaskDefinition[] = [
  task('Upload', UploadProperties, UploadOutputs, (ctx, p) => upload(ctx, p)),
  task('Download', DownloadProperties, DownloadOutputs, (ctx, p) => download(ctx, p)),
  task('List', ListProperties, ListOutputs, (ctx, p) => list(ctx, p)),
  task('Delete', DeleteProperties, DeleteOutputs, (ctx, p) => remove(ctx, p)),
  task('Copy', CopyProperties, CopyOutputs, (ctx, p) => copy(ctx, p)),
  task('Downloads', DownloadsProperties, DownloadsOutputs, (ctx, p) => downloads(ctx, p)),
  task('DeleteList', DeleteListProperties, DeleteListOutputs, (ctx, p) => deleteList(ctx, p)),
  task('Compose', ComposeProperties, ComposeOutputs, (ctx, p) => compose(ctx, p)),
  task('CreateBucket', CreateBucketProperties, BucketOutputs, (ctx, p) => createBucket(ctx, p)),
  task('UpdateBucket', UpdateBucketProperties, BucketOutputs, (ctx, p) => updateBucket(ctx, p)),
  task('DeleteBucket', DeleteBucketProperties, DeleteBucketOutputs, (ctx, p) => deleteBucket(ctx, p)),
];
