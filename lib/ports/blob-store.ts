// Internal storage, addressed by kestra:/// URIs. Adapters map them with model/storage-uri.ts,
// so traversal rules are the same everywhere. Files are streamed, never loaded whole.
import type { Readable } from 'node:stream';

export interface BlobInfo {
  uri: string;
  size: number;
}

export interface BlobStore {
  /** Writes a file and returns its URI and size. */
  put(uri: string, data: Readable | Buffer | string): Promise<BlobInfo>;
  /** A stream of the file; STORAGE_NOT_FOUND when absent. */
  get(uri: string): Promise<Readable>;
  exists(uri: string): Promise<boolean>;
  /** Files whose URI starts with the given folder URI. */
  list(prefixUri: string): Promise<BlobInfo[]>;
  /** Returns false when there was nothing to delete. */
  delete(uri: string): Promise<boolean>;
}
