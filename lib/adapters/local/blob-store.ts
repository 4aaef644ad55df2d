// Internal storage on a folder: kestra:///{key} lives at {root}/{key}. Files are streamed both ways,
// written to a partial file first and renamed, so a reader never sees half a file.
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode } from '../../model/errors';
import { keyToUri, uriToKey, SCHEME } from '../../model/storage-uri';
import type { BlobInfo, BlobStore } from '../../ports/blob-store';

export interface FolderBlobStoreOptions {
  /** The storage folder, usually {dataDir}/storage. */
  root: string;
  /** Where partial writes go before their rename; must be on the same file system. Default `{root}.partial`. */
  partialDir?: string;
}

const isMissing = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};

/**
 * A file system error as an Aloft error that names the URI, never the server's folders (Node's
 * messages quote absolute paths, and API answers must not show them).
 */
function fsFailure(err: unknown, key: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !code.startsWith('E')) return err;
  if (code === 'ENAMETOOLONG') return new AloftError(ErrorCode.INPUT_INVALID, `a name in ${keyToUri(key)} is too long for internal storage`);
  return new AloftError(ErrorCode.INTERNAL, `internal storage failed (${code}) on ${keyToUri(key)}`);
}

export class FolderBlobStore implements BlobStore {
  private readonly root: string;
  private readonly partialDir: string;

  constructor(opts: FolderBlobStoreOptions) {
    this.root = opts.root;
    this.partialDir = opts.partialDir ?? `${opts.root}.partial`;
  }

  async put(uri: string, data: Readable | Buffer | string): Promise<BlobInfo> {
    const key = uriToKey(uri);
    const target = this.pathOf(key);
    await mkdir(this.partialDir, { recursive: true });
    const partial = join(this.partialDir, randomUUID());
    try {
      const source = typeof data === 'string' || Buffer.isBuffer(data) ? Readable.from([data]) : data;
      await pipeline(source, createWriteStream(partial));
      await mkdir(dirname(target), { recursive: true });
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw fsFailure(err, key);
    }
    const { size } = await stat(target);
    return { uri: keyToUri(key), size };
  }

  async get(uri: string): Promise<Readable> {
    const key = uriToKey(uri);
    try {
      const handle = await open(this.pathOf(key), 'r');
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      }
      return handle.createReadStream();
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') {
        throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `file not found: ${keyToUri(key)}`);
      }
      throw fsFailure(err, key);
    }
  }

  async exists(uri: string): Promise<boolean> {
    const key = uriToKey(uri);
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENAMETOOLONG') return false;
      throw fsFailure(err, key);
    }
  }

  async list(prefixUri: string): Promise<BlobInfo[]> {
    // A folder URI may end with a slash; the prefix is a folder, so `a/b` never lists `a/bc/...`.
    const trimmed = prefixUri.endsWith('/') && prefixUri.length > SCHEME.length ? prefixUri.slice(0, -1) : prefixUri;
    const key = uriToKey(trimmed);
    const out: BlobInfo[] = [];
    await this.walk(this.pathOf(key), key, out).catch((err: unknown) => { throw fsFailure(err, key); });
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  async delete(uri: string): Promise<boolean> {
    const key = uriToKey(uri);
    try {
      await unlink(this.pathOf(key));
      return true;
    } catch (err) {
      if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR' || (err as NodeJS.ErrnoException).code === 'EPERM') return false;
      throw fsFailure(err, key);
    }
  }

  private pathOf(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  private async walk(dir: string, key: string, out: BlobInfo[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    for (const entry of entries) {
      const childKey = `${key}/${entry.name}`;
      const path = `${dir}${sep}${entry.name}`;
      if (entry.isDirectory()) await this.walk(path, childKey, out);
      else if (entry.isFile()) out.push({ uri: keyToUri(childKey), size: (await stat(path)).size });
    }
  }
}
