// The key-value store on SQLite: one row per (namespace, key), the value as JSON text. Each
// operation reads and writes in one synchronous run, so overwrite=false is decided atomically. An
// entry written in a batch not committed yet is answered from memory (unacked.ts).
import type Database from 'better-sqlite3';
import type { KvType } from '../../model/kv';
import type { KeyValueStore, KvEntry, KvMeta, KvWrite } from '../../ports/key-value-store';
import type { SqliteDatabase, WriteStatement } from './database';
import { Unacked } from './unacked';

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
    put: WriteStatement<[string, string, string, string, string | null, string, string, number | null]>;
    get: Database.Statement<[string, string]>;
    list: Database.Statement<[string, number, string, string]>;
    delete: WriteStatement<[string, string]>;
  };
  /** Entries written since the last commit (null: deleted), by namespace and key. */
  private readonly unacked: Unacked<Row | null>;
  private lastWrite = 0;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      put: db.statement(
        `INSERT INTO kv (namespace, key, type, value, description, creation_date, update_date, expiration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET type = excluded.type, value = excluded.value, description = excluded.description,
           creation_date = excluded.creation_date, update_date = excluded.update_date, expiration_ms = excluded.expiration_ms`,
      ),
      // Expired or not: the caller decides (an expired entry is still deleted by delete()).
      get: raw.prepare(`SELECT ${META}, value FROM kv WHERE namespace = ? AND key = ?`),
      // substr rather than LIKE: keys may hold `_`, which LIKE reads as a wildcard.
      list: raw.prepare(`SELECT ${META} FROM kv WHERE namespace = ? AND ${LIVE} AND substr(key, 1, length(?)) = ? ORDER BY key`),
      delete: db.statement('DELETE FROM kv WHERE namespace = ? AND key = ?'),
    };
    this.unacked = new Unacked(db);
  }

  async set(namespace: string, entry: KvWrite, opts: { overwrite: boolean; now: Date }): Promise<boolean> {
    const now = opts.now.getTime();
    const current = this.row(namespace, entry.key);
    const created = current && live(current, now) ? current.creation_date : undefined;
    if (created !== undefined && !opts.overwrite) return false;
    const at = opts.now.toISOString();
    const expiration = entry.expirationDate === undefined ? null : Date.parse(entry.expirationDate);
    const row: Row = {
      key: entry.key, type: entry.type, value: JSON.stringify(entry.value), description: entry.description ?? null, creation_date: created ?? at, update_date: at,
      expiration_ms: expiration,
    };
    this.sql.put.run(namespace, row.key, row.type, row.value!, row.description, row.creation_date, row.update_date, row.expiration_ms);
    this.wrote(namespace, entry.key, row);
    await this.db.durable();
    return true;
  }

  async get(namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const row = this.row(namespace, key);
    return row && live(row, now.getTime()) ? { ...toMeta(row), value: JSON.parse(row.value!) as unknown } : undefined;
  }

  async listKeys(namespace: string, now: Date, prefix = ''): Promise<KvMeta[]> {
    await this.db.seen(this.lastWrite);
    return (this.sql.list.all(namespace, now.getTime(), prefix, prefix) as Row[]).map(toMeta);
  }

  async delete(namespace: string, key: string, now: Date): Promise<boolean> {
    const current = this.row(namespace, key);
    this.sql.delete.run(namespace, key);
    this.wrote(namespace, key, null);
    await this.db.durable();
    return current !== undefined && live(current, now.getTime());
  }

  /** The entry's row, expired or not: from memory while a batch holds it, else from the table. */
  private row(namespace: string, key: string): Row | undefined {
    const pending = this.unacked.get(`${namespace}\u0000${key}`);
    if (pending) return pending.value ?? undefined;
    return this.sql.get.get(namespace, key) as Row | undefined;
  }

  private wrote(namespace: string, key: string, row: Row | null): void {
    this.unacked.set(`${namespace}\u0000${key}`, row);
    this.lastWrite = this.db.writeSeq;
  }
}

const live = (row: Row, now: number): boolean => row.expiration_ms === null || row.expiration_ms > now;

function toMeta(row: Row): KvMeta {
  const meta: KvMeta = { key: row.key, type: row.type as KvType, creationDate: row.creation_date, updateDate: row.update_date };
  if (row.description !== null) meta.description = row.description;
  if (row.expiration_ms !== null) meta.expirationDate = new Date(row.expiration_ms).toISOString();
  return meta;
}
