// The key-value store: values per namespace that outlive executions (Kestra's KV store). Memory
// and SQLite on the embedded runtime, Firestore in the cloud. Expired entries behave as absent
// everywhere; `now` is passed in so expiry is decided by the caller's clock.
import type { KvType } from '../model/kv';

export interface KvMeta {
  key: string;
  type: KvType;
  description?: string;
  /** ISO-8601 UTC. */
  creationDate: string;
  updateDate: string;
  /** Absent: never expires. */
  expirationDate?: string;
}

export interface KvEntry extends KvMeta {
  /** JSON data, already converted to `type` (model/kv.ts toKvValue). */
  value: unknown;
}

export interface KvWrite {
  key: string;
  value: unknown;
  type: KvType;
  description?: string;
  expirationDate?: string;
}

export interface KeyValueStore {
  /**
   * Stores a value. With `overwrite` false a live entry is kept and false returned (an expired one is
   * replaced). A replaced entry keeps its creation date.
   */
  set(namespace: string, entry: KvWrite, opts: { overwrite: boolean; now: Date }): Promise<boolean>;
  /** The live entry, or undefined. */
  get(namespace: string, key: string, now: Date): Promise<KvEntry | undefined>;
  /** Live entries of a namespace, without values, sorted by key; only keys starting with `prefix` when given. */
  listKeys(namespace: string, now: Date, prefix?: string): Promise<KvMeta[]>;
  /** False when there was no live entry to delete. */
  delete(namespace: string, key: string, now: Date): Promise<boolean>;
}
