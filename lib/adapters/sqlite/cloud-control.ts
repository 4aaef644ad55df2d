// The recovery bookkeeping of lib/ports/cloud-control.ts on SQLite: wake-ups due at a time, and the
// executions whose pending events nobody is folding (the state store holds every execution with
// pending events in memory; there is no lease in one process).
import type Database from 'better-sqlite3';
import type { StrandedExecutions, WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';
import type { SqliteDatabase, WriteStatement } from './database';
import type { SqliteStateStore } from './state-store';

export class SqliteWakeUpStore implements WakeUpStore {
  private readonly sql: {
    put: WriteStatement<[string, number, string]>;
    due: Database.Statement<[number, number]>;
    remove: WriteStatement<[string]>;
  };
  private lastWrite = 0;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      put: db.statement('INSERT INTO wake_ups (id, due_ms, json) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING'),
      due: raw.prepare('SELECT json FROM wake_ups WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?').pluck(),
      remove: db.statement('DELETE FROM wake_ups WHERE id = ?'),
    };
  }

  async put(wakeUp: WakeUpRecord): Promise<void> {
    const { id, executionId, taskRunId, reason, at } = wakeUp;
    this.sql.put.run(id, Date.parse(at), JSON.stringify({ id, executionId, taskRunId, reason, at }));
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }

  async due(now: Date, limit: number): Promise<WakeUpRecord[]> {
    await this.db.seen(this.lastWrite);
    return (this.sql.due.all(now.getTime(), limit) as string[]).map((json) => JSON.parse(json) as WakeUpRecord);
  }

  async remove(id: string): Promise<void> {
    this.sql.remove.run(id);
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }
}

export class SqliteStrandedExecutions implements StrandedExecutions {
  constructor(private readonly store: SqliteStateStore) {}

  /**
   * Executions with an event appended before `olderThan` (its `at`) and still pending. `now` is for
   * leases, which one process does not take.
   */
  async find(olderThan: Date, _now: Date, limit: number): Promise<string[]> {
    return this.store.strandedNow(olderThan, limit);
  }
}
