// Namespace files (Kestra's per-namespace files: scripts, SQL, configs) in internal storage, under
// `{namespace as path}/_files/`. No flow id and no namespace part starts with `_`, so this folder
// never lies inside a flow's or another namespace's files. Paths are relative to it and may not
// leave it: `..`, `.`, empty parts, backslashes and NUL are refused, encoded or not.
import { AloftError, ErrorCode, type ErrorLocation } from './errors';
import { keyToUri } from './storage-uri';

const MAX_PATH = 1000;

/** The storage key of a namespace's files folder (no trailing slash). */
export const namespaceFilesPrefix = (namespace: string): string => `${namespace.split('.').join('/')}/_files`;

/**
 * A namespace file path as stored: `a/b.py` for `/a/b.py`, `a/b.py` or `./a/b.py`. STORAGE_FORBIDDEN
 * naming the path when it would leave the namespace's files.
 */
export function namespaceFilePath(path: unknown, where: ErrorLocation = {}): string {
  const refuse = (why: string): never => {
    throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, `namespace file path ${JSON.stringify(String(path).slice(0, 200))} ${why}`, where);
  };
  if (typeof path !== 'string' || path.length === 0) return refuse('is empty');
  if (path.length > MAX_PATH) return refuse(`is longer than ${MAX_PATH} characters`);
  let decoded = path;
  try { decoded = decodeURIComponent(path); } catch { /* a literal %: checked as written */ }
  for (const p of [path, decoded]) {
    if (p.includes('\\') || p.includes('\0')) refuse('holds a backslash or NUL');
  }
  const parts = path.replace(/^\/+/, '').replace(/^\.\//, '').split('/');
  const decodedParts = decoded.replace(/^\/+/, '').replace(/^\.\//, '').split('/');
  if ([...parts, ...decodedParts].some((s) => s === '..' || s === '.')) refuse("leaves the namespace's files (no '..' or '.')");
  if (parts.some((s) => s === '')) refuse('has an empty part');
  return parts.join('/');
}

/** The kestra:/// URI of a namespace file. */
export const namespaceFileUri = (namespace: string, path: string): string =>
  keyToUri(`${namespaceFilesPrefix(namespace)}/${namespaceFilePath(path)}`);

/** The kestra:/// URI of a folder of namespace files (the root for '' or '/'), ending in `/`. */
export function namespaceFolderUri(namespace: string, folder = ''): string {
  const trimmed = folder.replace(/^\/+|\/+$/g, '');
  const key = trimmed === '' ? namespaceFilesPrefix(namespace) : `${namespaceFilesPrefix(namespace)}/${namespaceFilePath(trimmed)}`;
  return `${keyToUri(key)}/`;
}
