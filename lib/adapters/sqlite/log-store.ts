// Task run logs on SQLite: one row per line, appended in the group commit; listed per execution in
// append order (the row's sequence), with the task run and level filters in SQL.
import type Database from 'better-sqlite3';
import { logLevelRank, type LogFilter, type LogLine, type LogStore } from '../../ports/log-store';
import type { SqliteDatabase, WriteStatement } from './database';

export class SqliteLogStore implements LogStore {
  private readonly insert: WriteStatement<[string, string | null, number, string]>;
  private readonly byExecution: Database.Statement<[string, number]>;
  private readonly byTaskRun: Database.Statement<[string, string, number]>;
  private readonly remove: WriteStatement<[string]>;
  private lastWrite = 0;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.insert = db.statement('INSERT INTO logs (execution_id, task_run_id, level, json) VALUES (?, ?, ?, ?)');
    this.byExecution = raw.prepare('SELECT json FROM logs WHERE execution_id = ? AND level >= ? ORDER BY seq').pluck();
    this.byTaskRun = raw.prepare('SELECT json FROM logs WHERE execution_id = ? AND task_run_id = ? AND level >= ? ORDER BY seq').pluck();
    this.remove = db.statement('DELETE FROM logs WHERE execution_id = ?');
  }

  async append(lines: readonly LogLine[]): Promise<void> {
    if (lines.length === 0) return;
    for (const line of lines) this.insert.run(line.executionId, line.taskRunId ?? null, logLevelRank(line.level), JSON.stringify(line));
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }

  async list(executionId: string, filter: LogFilter = {}): Promise<LogLine[]> {
    await this.db.seen(this.lastWrite);
    const min = filter.minLevel ? logLevelRank(filter.minLevel) : 0;
    const rows = (filter.taskRunId === undefined
      ? this.byExecution.all(executionId, min)
      : this.byTaskRun.all(executionId, filter.taskRunId, min)) as string[];
    return rows.map((json) => JSON.parse(json) as LogLine);
  }

  async delete(executionId: string): Promise<void> {
    this.remove.run(executionId);
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }
}
