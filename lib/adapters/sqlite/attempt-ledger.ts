// Attempt claims on SQLite: one row per attempt, claimed by an insert that does nothing when the
// row exists, so the first claim wins and every later one (or one after a finish or a refusal) is
// refused. A finished attempt keeps only its key: the ledger outlives its executions, so that a
// late duplicate delivery is still refused. Stale claims come from a partial index of the
// heartbeats of running ones.
import type Database from 'better-sqlite3';
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';
import type { SqliteDatabase } from './database';

interface Row {
  execution_id: string;
  task_run_id: string;
  attempt: number;
  worker_id: string;
  claimed_at: number;
  heartbeat: number;
  timeout_ms: number | null;
}

type Key = [string, string, number];

export class SqliteAttemptLedger implements AttemptLedger {
  private readonly sql: {
    claim: Database.Statement<[string, string, number, string, number, number, number | null]>;
    heartbeat: Database.Statement<[number, string, string, number]>;
    finish: Database.Statement<Key>;
    refuse: Database.Statement<Key>;
    stale: Database.Statement<[number, number]>;
  };

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      claim: raw.prepare(`INSERT INTO attempts (execution_id, task_run_id, attempt, running, worker_id, claimed_at, heartbeat, timeout_ms)
        VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      heartbeat: raw.prepare('UPDATE attempts SET heartbeat = ? WHERE execution_id = ? AND task_run_id = ? AND attempt = ? AND running = 1'),
      finish: raw.prepare(`INSERT INTO attempts (execution_id, task_run_id, attempt, running) VALUES (?, ?, ?, 0)
        ON CONFLICT DO UPDATE SET running = 0, worker_id = NULL, claimed_at = NULL, heartbeat = NULL, timeout_ms = NULL`),
      refuse: raw.prepare('INSERT INTO attempts (execution_id, task_run_id, attempt, running) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING'),
      stale: raw.prepare(`SELECT execution_id, task_run_id, attempt, worker_id, claimed_at, heartbeat, timeout_ms FROM attempts
        WHERE running = 1 AND heartbeat < ? ORDER BY heartbeat LIMIT ?`),
    };
  }

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const claimed = this.claimNow(key, workerId, now, timeoutMs);
    if (claimed) await this.db.durable();
    return claimed;
  }

  /** `claim`, synchronously (the embedded runtime's hot path); committed at the end of the turn. */
  claimNow(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): boolean {
    this.db.write();
    const at = now.getTime();
    return this.sql.claim.run(key.executionId, key.taskRunId, key.attempt, workerId, at, at, timeoutMs ?? null).changes > 0;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    this.db.write();
    this.sql.heartbeat.run(now.getTime(), key.executionId, key.taskRunId, key.attempt);
    await this.db.durable();
  }

  /** Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it. */
  async finish(key: AttemptKey, now: Date): Promise<void> {
    this.finishNow(key, now);
    await this.db.durable();
  }

  /** `finish`, synchronously. */
  finishNow(key: AttemptKey, _now?: Date): void {
    this.db.write();
    this.sql.finish.run(key.executionId, key.taskRunId, key.attempt);
  }

  async refuse(key: AttemptKey): Promise<void> {
    this.db.write();
    this.sql.refuse.run(key.executionId, key.taskRunId, key.attempt);
    await this.db.durable();
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    return (this.sql.stale.all(olderThan.getTime(), limit) as Row[]).map((r) => ({
      executionId: r.execution_id, taskRunId: r.task_run_id, attempt: r.attempt, workerId: r.worker_id,
      claimedAt: new Date(r.claimed_at).toISOString(), heartbeat: new Date(r.heartbeat).toISOString(),
      ...(r.timeout_ms !== null ? { timeoutMs: r.timeout_ms } : {}), state: 'RUNNING' as const,
    }));
  }
}
