// In-memory key-value store. Values are copied in and out as JSON, like the durable stores do, so
// a task changing what it read cannot change what is stored (and no value of another realm leaks).
import type { KeyValueStore, KvEntry, KvMeta, KvWrite } from '../../ports/key-value-store';
import { isLive, metaOf } from './key-value-expiry';

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly namespaces = new Map<string, Map<string, KvEntry>>();

  async set(namespace: string, entry: KvWrite, opts: { overwrite: boolean; now: Date }): Promise<boolean> {
    const entries = this.namespaces.get(namespace) ?? new Map<string, KvEntry>();
    this.namespaces.set(namespace, entries);
    const current = entries.get(entry.key);
    const live = current && isLive(current, opts.now) ? current : undefined;
    if (live && !opts.overwrite) return false;
    const at = opts.now.toISOString();
    const next: KvEntry = { ...metaOf({ ...entry, creationDate: live?.creationDate ?? at, updateDate: at }), value: copy(entry.value) };
    entries.set(entry.key, next);
    return true;
  }

  async get(namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const e = this.namespaces.get(namespace)?.get(key);
    return e && isLive(e, now) ? { ...metaOf(e), value: copy(e.value) } : undefined;
  }

  async listKeys(namespace: string, now: Date, prefix = ''): Promise<KvMeta[]> {
    const out: KvMeta[] = [];
    for (const e of this.namespaces.get(namespace)?.values() ?? []) {
      if (e.key.startsWith(prefix) && isLive(e, now)) out.push(metaOf(e));
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(namespace: string, key: string, now: Date): Promise<boolean> {
    const entries = this.namespaces.get(namespace);
    const e = entries?.get(key);
    if (!e) return false;
    entries!.delete(key);
    return isLive(e, now);
  }
}

const copy = (value: unknown): unknown => JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
