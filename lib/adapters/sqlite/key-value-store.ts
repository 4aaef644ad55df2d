// The key-value store on SQLite: one row per (namespace, key), the value as JSON text. Each
// operation reads and writes in one synchronous run, so overwrite=false is decided atomically.
import type Database from 'better-sqlite3';
import type { KvType } from '../../model/kv';
import type { KeyValueStore, KvEntry, KvMeta, KvWrite } from '../../ports/key-value-store';
import type { SqliteDatabase } from './database';

interface Row {
  key: string;
  type: string;
  value?: string;
  description: string | null;
  creation_date: string;
  update_date: string;
  expiration_ms: number | null;
}

const LIVE = '(expiration_ms IS NULL OR expiration_ms > ?)';
const META = 'key, type, description, creation_date, update_date, expiration_ms';

export class SqliteKeyValueStore implements KeyValueStore {
  private readonly sql: {
    created: Database.Statement<[string, string, number]>;
    put: Database.Statement<unknown[]>;
    get: Database.Statement<[string, string, number]>;
    list: Database.Statement<[string, number, string, string]>;
    delete: Database.Statement<[string, string]>;
  };

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      created: raw.prepare(`SELECT creation_date FROM kv WHERE namespace = ? AND key = ? AND ${LIVE}`).pluck(),
      put: raw.prepare(
        `INSERT INTO kv (namespace, key, type, value, description, creation_date, update_date, expiration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET type = excluded.type, value = excluded.value, description = excluded.description,
           creation_date = excluded.creation_date, update_date = excluded.update_date, expiration_ms = excluded.expiration_ms`,
      ),
      get: raw.prepare(`SELECT ${META}, value FROM kv WHERE namespace = ? AND key = ? AND ${LIVE}`),
      // substr rather than LIKE: keys may hold `_`, which LIKE reads as a wildcard.
      list: raw.prepare(`SELECT ${META} FROM kv WHERE namespace = ? AND ${LIVE} AND substr(key, 1, length(?)) = ? ORDER BY key`),
      delete: raw.prepare('DELETE FROM kv WHERE namespace = ? AND key = ? RETURNING expiration_ms').pluck(),
    };
  }

  async set(namespace: string, entry: KvWrite, opts: { overwrite: boolean; now: Date }): Promise<boolean> {
    const now = opts.now.getTime();
    const created = this.sql.created.get(namespace, entry.key, now) as string | undefined;
    if (created !== undefined && !opts.overwrite) return false;
    const at = opts.now.toISOString();
    const expiration = entry.expirationDate === undefined ? null : Date.parse(entry.expirationDate);
    this.db.write();
    this.sql.put.run(namespace, entry.key, entry.type, JSON.stringify(entry.value), entry.description ?? null, created ?? at, at, expiration);
    await this.db.durable();
    return true;
  }

  async get(namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const row = this.sql.get.get(namespace, key, now.getTime()) as Row | undefined;
    return row ? { ...toMeta(row), value: JSON.parse(row.value!) as unknown } : undefined;
  }

  async listKeys(namespace: string, now: Date, prefix = ''): Promise<KvMeta[]> {
    return (this.sql.list.all(namespace, now.getTime(), prefix, prefix) as Row[]).map(toMeta);
  }

  async delete(namespace: string, key: string, now: Date): Promise<boolean> {
    this.db.write();
    const expiration = this.sql.delete.get(namespace, key) as number | null | undefined;
    await this.db.durable();
    return expiration !== undefined && (expiration === null || expiration > now.getTime());
  }
}

function toMeta(row: Row): KvMeta {
  const meta: KvMeta = { key: row.key, type: row.type as KvType, creationDate: row.creation_date, updateDate: row.update_date };
  if (row.description !== null) meta.description = row.description;
  if (row.expiration_ms !== null) meta.expirationDate = new Date(row.expiration_ms).toISOString();
  return meta;
}
