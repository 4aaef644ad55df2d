// The state store's outbox on SQLite: effects committed with the fold that produced them, deleted
// once carried out. Rows are keyed by seq alone (migration 3): a UNIQUE index on the entry id cost
// a random page per insert and per delete, so the store remembers each row's seq instead.
import type Database from 'better-sqlite3';
import type { OutboxEntry } from '../../ports/state-store';
import type { SqlWriter, WriteStatement } from './database';

export class OutboxRows {
  /** Entries not written yet: one acknowledged before the commit is never written. */
  private readonly fresh = new Map<string, OutboxEntry>();
  /** Seqs of rows written and not acknowledged yet, by entry id. */
  private readonly rows = new Map<string, number>();
  /** Rows acknowledged since the last flush: their seqs, or ids when the seq is unknown. */
  private acked: number[] = [];
  private ackedIds: string[] = [];
  private seq: number;
  private readonly sql: {
    insert: WriteStatement<[number, string, string, string]>;
    deleteRange: WriteStatement<[number, number]>;
    deleteId: WriteStatement<[string]>;
    unpublished: Database.Statement<[string, number]>;
  };

  constructor(db: SqlWriter) {
    const raw = db.db;
    this.sql = {
      insert: db.statement('INSERT INTO outbox (seq, id, created_at, json) VALUES (?, ?, ?, ?)'),
      deleteRange: db.statement('DELETE FROM outbox WHERE seq BETWEEN ? AND ?'),
      // Not indexed: only for an entry acknowledged twice, or one the store never saw.
      deleteId: db.statement('DELETE FROM outbox WHERE id = ?'),
      unpublished: raw.prepare('SELECT seq, json FROM outbox WHERE created_at < ? ORDER BY seq LIMIT ?'),
    };
    this.seq = raw.prepare('SELECT COALESCE(MAX(seq), 0) FROM outbox').pluck().get() as number;
  }

  add(entry: OutboxEntry): void {
    this.fresh.set(entry.id, entry);
  }

  ack(entries: readonly OutboxEntry[]): void {
    for (const entry of entries) {
      if (this.fresh.delete(entry.id)) continue;
      const seq = this.rows.get(entry.id);
      if (seq === undefined) this.ackedIds.push(entry.id);
      else {
        this.rows.delete(entry.id);
        this.acked.push(seq);
      }
    }
  }

  /** True when a flush has something to write. */
  changed(): boolean {
    return this.fresh.size > 0 || this.acked.length > 0 || this.ackedIds.length > 0;
  }

  /** Writes new entries and deletes acknowledged ones, inside the open transaction. */
  flush(): void {
    for (const entry of this.fresh.values()) {
      const seq = ++this.seq;
      this.sql.insert.run(seq, entry.id, entry.createdAt, JSON.stringify(entry));
      this.rows.set(entry.id, seq);
    }
    this.fresh.clear();
    // A range of consecutive seqs per statement: acknowledgements come mostly in order.
    const seqs = this.acked.sort((a, b) => a - b);
    for (let i = 0; i < seqs.length;) {
      let j = i;
      while (j + 1 < seqs.length && seqs[j + 1] === seqs[j] + 1) j++;
      this.sql.deleteRange.run(seqs[i], seqs[j]);
      i = j + 1;
    }
    this.acked = [];
    for (const id of this.ackedIds) this.sql.deleteId.run(id);
    this.ackedIds = [];
  }

  /** Written rows older than `olderThan`, oldest first (the caller flushed first). */
  unpublished(olderThan: Date, limit: number): OutboxEntry[] {
    const rows = this.sql.unpublished.all(olderThan.toISOString(), limit) as Array<{ seq: number; json: string }>;
    return rows.map((row) => {
      const entry = JSON.parse(row.json) as OutboxEntry;
      this.rows.set(entry.id, row.seq);
      return entry;
    });
  }
}
