// BlobStore on Cloud Storage: kestra:///{key} is gs://{bucket}/{prefix}/{key}. Keys come from
// uriToKey (lib/model/storage-uri.ts), so the traversal rules are the local adapter's. Files are
// streamed both ways; an upload is one request, so a reader never sees half an object.
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Bucket, Storage } from '@google-cloud/storage';
import { AloftError, ErrorCode } from '../../model/errors';
import { SCHEME, keyToUri, uriToKey } from '../../model/storage-uri';
import type { BlobInfo, BlobStore } from '../../ports/blob-store';
import { toAloftError } from './firestore-constraints';
import type { Clock } from '../../ports/system';

export interface GcsBlobStoreOptions {
  storage: Storage;
  bucket: string;
  /** A folder inside the bucket (no leading or trailing slash); tests isolate themselves with one. */
  prefix?: string;
  /** Resumable uploads survive a dropped connection but cost an extra request. Default false. */
  resumable?: boolean;
  /**
   * Stamps execution files with `customTime`, which the bucket's retention rule (daysSinceCustomTime)
   * deletes by; flow state files (`…/states/…`) share the prefix and are never stamped.
   */
  clock?: Clock;
}

const EXECUTION_FILE = /(^|\/)executions\//;

const isNotFound = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 404;

export class GcsBlobStore implements BlobStore {
  private readonly bucket: Bucket;
  private readonly prefix: string;

  constructor(private readonly opts: GcsBlobStoreOptions) {
    this.bucket = opts.storage.bucket(opts.bucket);
    const p = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.prefix = p ? `${p}/` : '';
  }

  private objectName(key: string): string {
    return `${this.prefix}${key}`;
  }

  async put(uri: string, data: Readable | Buffer | string): Promise<BlobInfo> {
    const key = uriToKey(uri);
    const file = this.bucket.file(this.objectName(key));
    let size = 0;
    const counter = new Transform({
      transform(chunk: Buffer | string, _enc, done) {
        size += Buffer.isBuffer(chunk) ? chunk.length : Buffer.byteLength(chunk);
        done(null, chunk);
      },
    });
    try {
      const customTime = this.opts.clock && EXECUTION_FILE.test(key) ? { metadata: { customTime: this.opts.clock.now().toISOString() } } : {};
      const sink = file.createWriteStream({
        resumable: this.opts.resumable ?? false, validation: 'crc32c', contentType: 'application/octet-stream', ...customTime,
      });
      if (typeof data === 'string' || Buffer.isBuffer(data)) {
        counter.end(data);
        await pipeline(counter, sink);
      } else {
        await pipeline(data, counter, sink);
      }
    } catch (err) {
      throw toAloftError(err, `writing ${keyToUri(key)} to gs://${this.opts.bucket}/${this.objectName(key)}`);
    }
    return { uri: keyToUri(key), size };
  }

  async get(uri: string): Promise<Readable> {
    const key = uriToKey(uri);
    const file = this.bucket.file(this.objectName(key));
    try {
      // The metadata request turns a missing object into STORAGE_NOT_FOUND now, not as a stream error later.
      await file.getMetadata();
    } catch (err) {
      if (isNotFound(err)) throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `file not found: ${keyToUri(key)}`);
      throw toAloftError(err, `reading ${keyToUri(key)}`);
    }
    return file.createReadStream();
  }

  async exists(uri: string): Promise<boolean> {
    const key = uriToKey(uri);
    try {
      const [found] = await this.bucket.file(this.objectName(key)).exists();
      return found;
    } catch (err) {
      throw toAloftError(err, `checking ${keyToUri(key)}`);
    }
  }

  async list(prefixUri: string): Promise<BlobInfo[]> {
    // A folder URI may end with a slash; the prefix is a folder, so `a/b` never lists `a/bc/...`.
    const trimmed = prefixUri.endsWith('/') && prefixUri.length > SCHEME.length ? prefixUri.slice(0, -1) : prefixUri;
    const key = uriToKey(trimmed);
    try {
      const [files] = await this.bucket.getFiles({ prefix: `${this.objectName(key)}/`, autoPaginate: true });
      return files
        .map((f) => ({ uri: keyToUri(f.name.slice(this.prefix.length)), size: Number(f.metadata.size ?? 0) }))
        .sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
    } catch (err) {
      throw toAloftError(err, `listing ${keyToUri(key)}`);
    }
  }

  async delete(uri: string): Promise<boolean> {
    const key = uriToKey(uri);
    try {
      await this.bucket.file(this.objectName(key)).delete();
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw toAloftError(err, `deleting ${keyToUri(key)}`);
    }
  }
}
