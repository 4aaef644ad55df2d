// Properties and outputs of the Cloud Storage tasks, with kestra-io/plugin-gcp's names (gcs.Upload,
// Download, List, Delete, Copy).
import { z } from 'zod';
import { gcpProperties } from '../credentials';

const Bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
export const GsUri = z.string().regex(/^(gs:\/\/[^/]+(\/.*)?|.*\{\{.*)$/s, 'expected a gs://bucket/path URI');

export const UploadProperties = z.object({
  ...gcpProperties,
  from: z.string().min(1),
  to: GsUri,
  contentType: z.string().optional(),
  contentEncoding: z.string().optional(),
  contentDisposition: z.string().optional(),
  cacheControl: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
}).strict();
export type UploadProperties = z.infer<typeof UploadProperties>;
export const UploadOutputs = z.object({ uri: z.string() }).strict();

export const DownloadProperties = z.object({ ...gcpProperties, from: GsUri }).strict();
export type DownloadProperties = z.infer<typeof DownloadProperties>;
export const DownloadOutputs = z.object({ bucket: z.string(), path: z.string(), uri: z.string() }).strict();

export const ListProperties = z.object({
  ...gcpProperties,
  from: GsUri,
  allVersions: Bool.optional(),
  filter: z.enum(['FILES', 'DIRECTORY', 'BOTH']).optional(),
  listingType: z.enum(['DIRECTORY', 'RECURSIVE']).optional(),
  regExp: z.string().optional(),
}).strict();
export type ListProperties = z.infer<typeof ListProperties>;

export const Blob = z.object({
  uri: z.string(),
  bucket: z.string(),
  name: z.string(),
  size: z.number().int().nonnegative().optional(),
  contentType: z.string().optional(),
  etag: z.string().optional(),
  generation: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  isDirectory: z.boolean(),
}).strict();
export type Blob = z.infer<typeof Blob>;
export const ListOutputs = z.object({ blobs: z.array(Blob) }).strict();

export const DeleteProperties = z.object({ ...gcpProperties, uri: GsUri, errorOnMissing: Bool.optional() }).strict();
export type DeleteProperties = z.infer<typeof DeleteProperties>;
export const DeleteOutputs = z.object({ uri: z.string(), deleted: z.boolean() }).strict();

export const CopyProperties = z.object({ ...gcpProperties, from: GsUri, to: GsUri, delete: Bool.optional() }).strict();
export type CopyProperties = z.infer<typeof CopyProperties>;
export const CopyOutputs = z.object({ uri: z.string() }).strict();

export const listing = {
  from: GsUri,
  allVersions: Bool.optional(),
  listingType: z.enum(['DIRECTORY', 'RECURSIVE']).optional(),
  regExp: z.string().optional(),
};

export const Action = z.enum(['MOVE', 'DELETE', 'NONE']);

export const DownloadsProperties = z.object({
  ...gcpProperties,
  ...listing,
  action: Action,
  moveDirectory: GsUri.optional(),
}).strict().refine((p) => p.action !== 'MOVE' || p.moveDirectory !== undefined, { message: 'moveDirectory is required when action is MOVE', path: ['moveDirectory'] });
export type DownloadsProperties = z.infer<typeof DownloadsProperties>;
export const DownloadsOutputs = z.object({ blobs: z.array(Blob) }).strict();

export const DeleteListProperties = z.object({
  ...gcpProperties,
  ...listing,
  errorOnEmpty: Bool.optional(),
  concurrent: z.number().int().min(2).optional(),
}).strict();
export type DeleteListProperties = z.infer<typeof DeleteListProperties>;
export const DeleteListOutputs = z.object({ count: z.number().int().nonnegative(), size: z.number().int().nonnegative() }).strict();

export const ComposeProperties = z.object({
  ...gcpProperties,
  list: z.object({
    from: GsUri,
    filter: z.enum(['FILES', 'DIRECTORY', 'BOTH']).optional(),
    listingType: z.enum(['DIRECTORY', 'RECURSIVE']).optional(),
    regExp: z.string().optional(),
  }).strict(),
  to: GsUri,
  allowEmpty: Bool.optional(),
}).strict();
export type ComposeProperties = z.infer<typeof ComposeProperties>;
export const ComposeOutputs = z.object({ uri: z.string() }).strict();

/** Kestra's AbstractBucket: the bucket's name and the settings CreateBucket and UpdateBucket set. */
export const bucketProperties = {
  ...gcpProperties,
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$|^\{\{.*\}\}$/s, 'a bucket name has 3 to 222 lowercase letters, digits, - _ or ., and starts and ends with a letter or digit'),
  location: z.string().optional(),
  storageClass: z.enum(['STANDARD', 'NEARLINE', 'COLDLINE', 'ARCHIVE', 'REGIONAL', 'MULTI_REGIONAL', 'DURABLE_REDUCED_AVAILABILITY']).optional(),
  requesterPays: Bool.optional(),
  versioningEnabled: Bool.optional(),
  indexPage: z.string().optional(),
  notFoundPage: z.string().optional(),
  defaultKmsKeyName: z.string().optional(),
  defaultEventBasedHold: Bool.optional(),
  retentionPeriod: z.number().int().nonnegative().optional(),
  labels: z.record(z.string(), z.string()).optional(),
};

export const CreateBucketProperties = z.object({ ...bucketProperties, ifExists: z.enum(['ERROR', 'UPDATE', 'SKIP']).optional() }).strict();
export type CreateBucketProperties = z.infer<typeof CreateBucketProperties>;
export const UpdateBucketProperties = z.object(bucketProperties).strict();
export type UpdateBucketProperties = z.infer<typeof UpdateBucketProperties>;
export const BucketOutputs = z.object({ bucket: z.string(), bucketUri: z.string(), created: z.boolean(), updated: z.boolean() }).strict();
export type BucketOutputs = z.infer<typeof BucketOutputs>;

export const DeleteBucketProperties = z.object({ ...gcpProperties, name: z.string().min(1) }).strict();
export type DeleteBucketProperties = z.infer<typeof DeleteBucketProperties>;
export const DeleteBucketOutputs = z.object({ bucket: z.string() }).strict();
