// The key-value part of the API service, as Kestra's KV controller answers: a PUT body is text
// whose type is guessed (JSON number, boolean, object or list; ISO date, date-time or duration;
// else a string), and the ttl comes in a `ttl` header.
import { jsonTextDepth, MAX_NESTING } from '../model/json-bounds';
import { AloftError, ErrorCode } from '../model/errors';
import { checkKvKey, inferKvType, kvExpiry, toKvValue, type KvType } from '../model/kv';
import type { KeyValueStore, KvMeta } from '../ports/key-value-store';
import type { Clock } from '../ports/system';
import { namespaceParam } from './namespace-param';

export interface KvService {
  list(namespace: string): Promise<KvMeta[]>;
  /** Kestra's typed value: `{ type, value }`; NOT_FOUND when absent. */
  get(namespace: string, key: string): Promise<{ type: KvType; value: unknown }>;
  set(namespace: string, key: string, body: string, ttl?: string): Promise<void>;
  /** False when there was nothing to delete. */
  delete(namespace: string, key: string): Promise<boolean>;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^P(?=.)/;

/** The value and type Kestra gives a KV body sent as text. */
export function typedBody(body: string): { type: KvType; value: unknown } {
  const text = body.trim();
  if (DATE.test(text)) return { type: 'DATE', value: toKvValue('DATE', text) };
  if (DATETIME.test(text) && !Number.isNaN(Date.parse(text))) return { type: 'DATETIME', value: toKvValue('DATETIME', text) };
  if (DURATION.test(text)) {
    try {
      return { type: 'DURATION', value: toKvValue('DURATION', text) };
    } catch { /* not a duration after all: a string */ }
  }
  // A value deeper than the bound every JSON body has would overflow the stack where it is copied or written.
  if (jsonTextDepth(text) > MAX_NESTING) throw new AloftError(ErrorCode.MESSAGE_INVALID, `the value is nested deeper than ${MAX_NESTING} levels`);
  try {
    const value = JSON.parse(text) as unknown;
    return { type: inferKvType(value), value };
  } catch {
    return { type: 'STRING', value: body };
  }
}

const namespaceOf = namespaceParam;

const keyOf = (key: string): string => {
  try {
    return checkKvKey(key);
  } catch (err) {
    throw new AloftError(ErrorCode.MESSAGE_INVALID, (err as Error).message);
  }
};

export function kvService(store: KeyValueStore, clock: Clock): KvService {
  return {
    list: (namespace) => store.listKeys(namespaceOf(namespace), clock.now()),
    async get(namespace, key) {
      const ns = namespaceOf(namespace);
      const entry = await store.get(ns, keyOf(key), clock.now());
      if (!entry) throw new AloftError(ErrorCode.NOT_FOUND, `key '${key}' not found in namespace ${ns}`);
      return { type: entry.type, value: entry.value };
    },
    async set(namespace, key, body, ttl) {
      const now = clock.now();
      const { type, value } = typedBody(body);
      let expirationDate: string | undefined;
      try {
        expirationDate = kvExpiry(ttl, now);
      } catch (err) {
        throw new AloftError(ErrorCode.MESSAGE_INVALID, `ttl header: ${(err as Error).message}`);
      }
      await store.set(namespaceOf(namespace), { key: keyOf(key), value, type, expirationDate }, { overwrite: true, now });
    },
    delete: (namespace, key) => store.delete(namespaceOf(namespace), keyOf(key), clock.now()),
  };
}
