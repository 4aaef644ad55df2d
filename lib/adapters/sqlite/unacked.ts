// What a store wrote in batches the writer thread has not committed yet, by key. The main thread's
// connection reads only what is committed, so a store answers these keys from memory until then: a
// read never sees less than what its own process wrote.
import type { SqliteDatabase } from './database';

export class Unacked<V> {
  private readonly entries = new Map<string, { value: V; seq: number }>();

  constructor(private readonly db: SqliteDatabase) {
    db.onAcked((acked) => {
      if (this.entries.size === 0) return;
      for (const [key, entry] of this.entries) if (entry.seq <= acked) this.entries.delete(key);
    });
  }

  /** Records the value just written (in the open batch). */
  set(key: string, value: V): void {
    this.entries.set(key, { value, seq: this.db.writeSeq });
  }

  /** The value last written under the key while its batch is not committed; undefined when the database answers. */
  get(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.seq <= this.db.acked) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Forgets the keys that `match` (a write that covers them in another way). */
  forget(match: (key: string) => boolean): void {
    for (const key of this.entries.keys()) if (match(key)) this.entries.delete(key);
  }
}
