// A namespace's files over internal storage (model/namespace-files.ts has the layout and the path
// rules). Used by the API routes and by tasks; every path is checked before storage is touched.
import type { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../model/errors';
import { namespaceFilePath, namespaceFileUri, namespaceFolderUri } from '../model/namespace-files';
import { uriToKey } from '../model/storage-uri';
import type { BlobStore } from '../ports/blob-store';

export interface NamespaceFile {
  /** Relative to the namespace's files: `scripts/etl.py`. */
  path: string;
  size: number;
}

export interface DirectoryEntry {
  fileName: string;
  type: 'File' | 'Directory';
  /** Files only. */
  size?: number;
}

export class NamespaceFiles {
  constructor(private readonly blobs: BlobStore) {}

  /** Every file under `folder` (default: all), sorted by path. */
  async list(namespace: string, folder = ''): Promise<NamespaceFile[]> {
    const root = uriToKey(namespaceFolderUri(namespace).slice(0, -1));
    const found = await this.blobs.list(namespaceFolderUri(namespace, folder));
    return found.map((b) => ({ path: uriToKey(b.uri).slice(root.length + 1), size: b.size }));
  }

  /** The files and folders right inside `folder`, as Kestra's directory listing: folders first, then by name. */
  async directory(namespace: string, folder = ''): Promise<DirectoryEntry[]> {
    const base = folder.replace(/^\/+|\/+$/g, '');
    const depth = base === '' ? 0 : namespaceFilePath(base).split('/').length;
    const entries = new Map<string, DirectoryEntry>();
    for (const f of await this.list(namespace, base)) {
      const parts = f.path.split('/');
      const name = parts[depth];
      if (parts.length === depth + 1) entries.set(name, { fileName: name, type: 'File', size: f.size });
      else if (!entries.has(name)) entries.set(name, { fileName: name, type: 'Directory' });
    }
    return [...entries.values()].sort((a, b) => (a.type !== b.type ? (a.type === 'Directory' ? -1 : 1) : a.fileName < b.fileName ? -1 : 1));
  }

  async get(namespace: string, path: string): Promise<Readable> {
    const uri = namespaceFileUri(namespace, path);
    if (!(await this.blobs.exists(uri))) {
      throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `namespace ${namespace} has no file ${namespaceFilePath(path)}`);
    }
    return this.blobs.get(uri);
  }

  /** A file's size in bytes; STORAGE_NOT_FOUND naming it when absent. */
  async size(namespace: string, path: string): Promise<number> {
    const stored = namespaceFilePath(path);
    const slash = stored.lastIndexOf('/');
    const found = (await this.list(namespace, slash < 0 ? '' : stored.slice(0, slash))).find((f) => f.path === stored);
    if (!found) throw new AloftError(ErrorCode.STORAGE_NOT_FOUND, `namespace ${namespace} has no file ${stored}`);
    return found.size;
  }

  async exists(namespace: string, path: string): Promise<boolean> {
    return this.blobs.exists(namespaceFileUri(namespace, path));
  }

  async put(namespace: string, path: string, data: Readable | Buffer | string): Promise<NamespaceFile> {
    const stored = namespaceFilePath(path);
    const info = await this.blobs.put(namespaceFileUri(namespace, stored), data);
    return { path: stored, size: info.size };
  }

  /** False when there was no such file. */
  async delete(namespace: string, path: string): Promise<boolean> {
    return this.blobs.delete(namespaceFileUri(namespace, path));
  }
}
