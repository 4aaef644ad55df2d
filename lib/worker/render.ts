// Rendering a task's properties: secrets are fetched first (rendering itself is synchronous),
// lazy properties are left for the task, and every error names the flow, task and property.
import { kvEntryKey, kvReferences, readPaths, renderValue, secretNames, type FileStat, type FileText } from '../expr';
import { AloftError, ErrorCode, toErrorData, type ErrorLocation } from '../model/errors';
import { TASK_BASE_KEYS } from '../model/flow';
import type { KeyValueStore } from '../ports/key-value-store';
import type { Secrets } from '../ports/system';

const BASE_KEYS: ReadonlySet<string> = new Set(TASK_BASE_KEYS);

/**
 * What a string of a task's properties may look up before it is rendered, one test per lookup: they skip
 * the template parse on the common path. Every check of a value or a task (below) is made of these.
 */
const CALLS: { readonly [K in keyof Lookups]: (text: string) => boolean } = {
  secrets: (text) => text.includes('secret'),
  kv: (text) => text.includes('kv('),
  read: (text) => text.includes('read('),
  files: (text) => FILE_FUNCTION_CALLS.some((c) => text.includes(c)),
};
const FILE_FUNCTION_CALLS = ['fileSize(', 'fileExists(', 'isFileEmpty(', 'errorLogs('] as const;

/** True when some string in the value passes `test`. */
function someString(value: unknown, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (Array.isArray(value)) return value.some((v) => someString(v, test));
  if (value && typeof value === 'object') {
    for (const k in value) if (someString((value as Record<string, unknown>)[k], test)) return true;
  }
  return false;
}

/** True when some string in the value mentions `secret`. */
export const mayUseSecrets = (value: unknown): boolean => someString(value, CALLS.secrets);

/** Fetches the secrets a value names that are not known yet into `known` (missing ones stay absent). */
export async function resolveSecrets(value: unknown, secrets: Secrets, known: Record<string, string>): Promise<void> {
  if (!mayUseSecrets(value)) return;
  const names = secretNames(value).filter((n) => !(n in known));
  const values = await Promise.all(names.map((n) => secrets.get(n)));
  names.forEach((n, i) => {
    const v = values[i];
    if (v !== undefined) known[n] = v;
  });
}

/** True when some string in the value may call kv(). */
export const mayUseKv = (value: unknown): boolean => someString(value, CALLS.kv);

/** Entries kv() may return, read as the attempt renders; `namespace` is the execution's. */
export interface KnownKv {
  namespace: string;
  entries: Map<string, { value: unknown } | null>;
}

/**
 * Reads the entries of the literal kv() calls in a value that are not known yet into `known`
 * (a missing key is recorded as null). Without a store nothing is read: kv() then fails, naming the key.
 */
export async function resolveKv(value: unknown, store: KeyValueStore | undefined, now: Date, known: KnownKv): Promise<void> {
  if (!store || !mayUseKv(value)) return;
  const refs = kvReferences(value)
    .map((r) => ({ key: r.key, namespace: r.namespace ?? known.namespace }))
    .filter((r) => !known.entries.has(kvEntryKey(r.namespace, r.key)));
  const entries = await Promise.all(refs.map((r) => store.get(r.namespace, r.key, now)));
  refs.forEach((r, i) => {
    const e = entries[i];
    known.entries.set(kvEntryKey(r.namespace, r.key), e ? { value: e.value } : null);
  });
}

/** True when some string in the value may call read(). */
export const mayRead = (value: unknown): boolean => someString(value, CALLS.read);

/** True when some string in the value may call fileSize(), fileExists(), isFileEmpty() or errorLogs(). */
export const mayUseFileFunctions = (value: unknown): boolean => someString(value, CALLS.files);

/** What a task's properties may look up before they are rendered. */
export interface Lookups {
  secrets: boolean;
  kv: boolean;
  read: boolean;
  files: boolean;
}

const NO_LOOKUPS: Lookups = Object.freeze({ secrets: false, kv: false, read: false, files: false });
const lookupsByTask = new WeakMap<object, Lookups>();

/**
 * mayUseSecrets, mayUseKv, mayRead and mayUseFileFunctions of a task's properties, in one walk,
 * remembered per task object: a flow's tasks are never changed, and every attempt of a task asks.
 */
export function lookupsIn(task: Record<string, unknown>): Lookups {
  let found = lookupsByTask.get(task);
  if (found === undefined) {
    // In place, string by string: a cloud attempt parses its task anew, so nothing here is copied.
    const f = { secrets: false, kv: false, read: false, files: false };
    scanLookups(task, f);
    found = f.secrets || f.kv || f.read || f.files ? f : NO_LOOKUPS;
    lookupsByTask.set(task, found);
  }
  return found;
}

/** Sets the flags of `f` that the strings in `value` call for; stops once all are set. */
function scanLookups(value: unknown, f: Lookups): boolean {
  if (typeof value === 'string') {
    f.secrets ||= CALLS.secrets(value);
    f.kv ||= CALLS.kv(value);
    f.read ||= CALLS.read(value);
    f.files ||= CALLS.files(value);
    return f.secrets && f.kv && f.read && f.files;
  }
  if (Array.isArray(value)) {
    for (const v of value) if (scanLookups(v, f)) return true;
  } else if (value && typeof value === 'object') {
    for (const k in value) if (scanLookups((value as Record<string, unknown>)[k], f)) return true;
  }
  return false;
}

/** Renders this many times at most to find the files a value looks up (a path may depend on another file). */
const MAX_LOOKUP_PASSES = 3;

/**
 * Looks up the files fileSize/fileExists/isFileEmpty ask for into `known`. Their paths are often
 * computed (`fileSize(outputs.download.uri)`), so the value is rendered with `wantedFiles` to
 * collect them, then again with what was found, until nothing new is asked for.
 */
export async function resolveFileStats(
  value: unknown, cx: RenderContext, stat: (path: string) => Promise<FileStat>, known: Map<string, FileStat>,
): Promise<void> {
  for (let pass = 0; pass < MAX_LOOKUP_PASSES; pass++) {
    const wanted = new Set<string>();
    try {
      renderValue(value, cx.vars, { ...cx.opts, fileStats: known, wantedFiles: wanted });
    } catch {
      // A stand-in answer may fail this render: the real render reports what is wrong.
    }
    const todo = [...wanted].filter((p) => !known.has(p));
    if (todo.length === 0) return;
    for (const path of todo) known.set(path, await stat(path));
  }
}

/** Files read() may answer with, at most this many bytes each (a template is no place for more). */
export const MAX_READ_BYTES = 1_000_000;

/**
 * Reads the files of the literal read() calls in a value that are not known yet into `known`. A file
 * that cannot be read (missing, forbidden, too big) is recorded with its reason: read() fails with it.
 */
export async function resolveReads(
  value: unknown, read: (path: string) => Promise<AsyncIterable<Buffer | string>>, known: Map<string, FileText>, vars?: Record<string, unknown>,
): Promise<void> {
  if (!mayRead(value)) return;
  for (const path of readPaths(value, vars)) {
    if (known.has(path)) continue;
    try {
      const parts: Buffer[] = [];
      let size = 0;
      for await (const chunk of await read(path)) {
        const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += b.length;
        if (size > MAX_READ_BYTES) throw new Error(`the file is larger than ${MAX_READ_BYTES} bytes`);
        parts.push(b);
      }
      known.set(path, { text: Buffer.concat(parts).toString('utf8') });
    } catch (err) {
      known.set(path, { error: toErrorData(err).message });
    }
  }
}

export interface RenderContext {
  vars: Record<string, unknown>;
  /** Shared by every render of an attempt; `secrets` grows as the task reads more. */
  opts: {
    now: Date; secrets: Record<string, string>; kv?: KnownKv; files?: Map<string, FileText>;
    fileStats?: Map<string, FileStat>; errorLogs?: readonly Record<string, unknown>[]; randomBytes?: (n: number) => Uint8Array;
  };
  location: ErrorLocation;
}

/**
 * Renders one value; an exact single expression keeps its type. The location is only built when
 * something fails (this runs for every property of every attempt), then it names the flow, task and
 * property path (`headers.Authorization`, `commands[1]`).
 */
export function renderOne(value: unknown, cx: RenderContext, property?: string): unknown {
  // Plain text and scalars need no template engine: every Pebble tag starts with `{`.
  if (typeof value === 'string' ? !value.includes('{') : value === null || typeof value !== 'object') return value;
  try {
    return renderValue(value, cx.vars, cx.opts);
  } catch (err) {
    const data = toErrorData(err, ErrorCode.EXPRESSION);
    const inner = data.property;
    const path = property === undefined ? inner : inner === undefined ? property : inner.startsWith('[') ? `${property}${inner}` : `${property}.${inner}`;
    const location: ErrorLocation = { ...cx.location };
    for (const k of ['file', 'line', 'column'] as const) if (data[k] !== undefined) (location as Record<string, unknown>)[k] = data[k];
    if (path !== undefined) location.property = path;
    throw new AloftError(data.code, data.message, location, data.hint);
  }
}

/** The task's own properties (base keys removed), rendered except the lazy ones. */
export function renderProperties(
  task: Record<string, unknown>,
  lazy: readonly string[] | undefined,
  render: (value: unknown, property: string) => unknown,
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const key in task) {
    if (BASE_KEYS.has(key)) continue;
    const value = task[key];
    props[key] = lazy?.includes(key) ? value : render(value, key);
  }
  return props;
}

/** Every property of the task that is not a base key (for secret pre-resolution). */
export function ownProperties(task: Record<string, unknown>): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const key in task) if (!BASE_KEYS.has(key)) props[key] = task[key];
  return props;
}
