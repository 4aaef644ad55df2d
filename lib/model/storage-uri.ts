// kestra:/// URIs and the rules that keep them inside their prefix. Shared by every BlobStore adapter.
import { AloftError, ErrorCode } from './errors';

export const SCHEME = 'kestra:///';

/** The storage key for a URI (no leading slash), or STORAGE_FORBIDDEN when it could escape. */
export function uriToKey(uri: string): string {
  if (typeof uri !== 'string' || !uri.startsWith(SCHEME)) {
    throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, `not an internal storage URI: ${String(uri).slice(0, 200)}`);
  }
  const raw = uri.slice(SCHEME.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, `malformed storage URI: ${uri.slice(0, 200)}`);
  }
  // A twice-encoded traversal (%252e%252e) must not survive a second decode somewhere else; a name
  // with a literal % (50%.csv) is fine, so a second decode that fails is not an error.
  let twice = decoded;
  try { twice = decodeURIComponent(decoded); } catch { /* a literal %, not an encoding */ }
  if (escapes(decoded) || (twice !== decoded && escapes(twice))) {
    throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, `storage URI escapes its prefix: ${uri.slice(0, 200)}`);
  }
  return decoded;
}

function escapes(key: string): boolean {
  return key.length === 0 || key.startsWith('/') || key.includes('\\') || key.includes('\0') ||
    key.split('/').some((p) => p === '..' || p === '.' || p === '');
}

export function keyToUri(key: string): string {
  return SCHEME + key.split('/').map(encodeURIComponent).join('/');
}

const nsPath = (namespace: string): string => namespace.split('.').join('/');

/**
 * The folders storage puts right after a flow's `{namespace as path}/{flowId}`. No namespace part
 * and no flow id may take these names: then the first of them in a key tells where the flow's
 * part ends, so no flow's files lie inside another flow's (flow `states` of namespace `t.a` would
 * otherwise write below `t/a/states`, which flow `a` of namespace `t` may read).
 */
export const RESERVED_SEGMENTS: ReadonlySet<string> = new Set(['executions', 'states']);

/** The folder of one execution's files: {ns as path}/{flowId}/executions/{executionId}. */
export function executionPrefix(namespace: string, flowId: string, executionId: string): string {
  return `${nsPath(namespace)}/${flowId}/executions/${executionId}`;
}

export interface TaskRunOwner {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string;
  taskRunId: string;
}

/** The folder of one task run's files: {execution folder}/tasks/{taskId}/{taskRunId}. */
export function taskFolderKey(e: TaskRunOwner): string {
  return `${executionPrefix(e.namespace, e.flowId, e.executionId)}/tasks/${e.taskId}/${e.taskRunId}`;
}

export function taskFileKey(e: TaskRunOwner, file: string): string {
  return `${taskFolderKey(e)}/${safeName(file)}`;
}

export function inputFileKey(e: { namespace: string; flowId: string; executionId: string }, input: string, file: string): string {
  return `${executionPrefix(e.namespace, e.flowId, e.executionId)}/inputs/${input}/${safeName(file)}`;
}

export function flowStateKey(namespace: string, flowId: string, name: string, file: string): string {
  return `${nsPath(namespace)}/${flowId}/states/${name}/${safeName(file)}`;
}

/** The longest file name a file system (and so internal storage) keeps, in UTF-8 bytes. */
export const MAX_FILE_NAME_BYTES = 255;

function safeName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? 'file';
  if (new TextEncoder().encode(base).length > MAX_FILE_NAME_BYTES) {
    throw new AloftError(ErrorCode.INPUT_INVALID, `the file name '${base.slice(0, 40)}…' is longer than ${MAX_FILE_NAME_BYTES} bytes`);
  }
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}

/**
 * A task may read files of its own execution, or of the execution that triggered it (or its parent).
 * Throws STORAGE_FORBIDDEN otherwise.
 */
export function assertReadable(key: string, allowedPrefixes: readonly string[]): void {
  if (!allowedPrefixes.some((p) => key === p || key.startsWith(p.endsWith('/') ? p : `${p}/`))) {
    throw new AloftError(ErrorCode.STORAGE_FORBIDDEN, `this execution may not read ${keyToUri(key)}`);
  }
}
