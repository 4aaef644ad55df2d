// Trigger state on SQLite: the last claimed date of each schedule, the windows of MultipleConditions
// and the state of polling triggers. Each operation reads and writes in one synchronous run inside the open
// transaction, so no other caller interleaves (the equivalent of a Firestore transaction).
import type Database from 'better-sqlite3';
import type { ConditionWindow, PollState, TriggerStateStore, WindowFold } from '../../ports/trigger-state';
import type { SqliteDatabase } from './database';

export class SqliteTriggerStateStore implements TriggerStateStore {
  private readonly sql: {
    lastDate: Database.Statement<[string]>;
    setDate: Database.Statement<[string, string]>;
    window: Database.Statement<[string, string]>;
    putWindow: Database.Statement<[string, string, string]>;
    deleteWindow: Database.Statement<[string, string]>;
    deleteDate: Database.Statement<[string]>;
    deleteWindows: Database.Statement<[string]>;
    poll: Database.Statement<[string]>;
    putPoll: Database.Statement<[string, string]>;
    deletePoll: Database.Statement<[string]>;
  };

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      lastDate: raw.prepare('SELECT last_date FROM trigger_dates WHERE trigger_key = ?').pluck(),
      setDate: raw.prepare('INSERT INTO trigger_dates (trigger_key, last_date) VALUES (?, ?) ON CONFLICT (trigger_key) DO UPDATE SET last_date = excluded.last_date'),
      window: raw.prepare('SELECT json FROM trigger_windows WHERE trigger_key = ? AND condition_id = ?').pluck(),
      putWindow: raw.prepare(
        'INSERT INTO trigger_windows (trigger_key, condition_id, json) VALUES (?, ?, ?) ON CONFLICT (trigger_key, condition_id) DO UPDATE SET json = excluded.json',
      ),
      deleteWindow: raw.prepare('DELETE FROM trigger_windows WHERE trigger_key = ? AND condition_id = ?'),
      deleteDate: raw.prepare('DELETE FROM trigger_dates WHERE trigger_key = ?'),
      deleteWindows: raw.prepare('DELETE FROM trigger_windows WHERE trigger_key = ?'),
      poll: raw.prepare('SELECT json FROM trigger_polls WHERE trigger_key = ?').pluck(),
      putPoll: raw.prepare('INSERT INTO trigger_polls (trigger_key, json) VALUES (?, ?) ON CONFLICT (trigger_key) DO UPDATE SET json = excluded.json'),
      deletePoll: raw.prepare('DELETE FROM trigger_polls WHERE trigger_key = ?'),
    };
  }

  async getLastDate(triggerKey: string): Promise<string | undefined> {
    return (this.sql.lastDate.get(triggerKey) as string | undefined) ?? undefined;
  }

  async initSchedule(triggerKey: string, date: string): Promise<boolean> {
    if (this.sql.lastDate.get(triggerKey) !== undefined) return false;
    this.db.write();
    this.sql.setDate.run(triggerKey, new Date(date).toISOString());
    await this.db.durable();
    return true;
  }

  async claimScheduleDate(triggerKey: string, date: string): Promise<boolean> {
    const last = this.sql.lastDate.get(triggerKey) as string | undefined;
    const at = Date.parse(date);
    if (last !== undefined && Date.parse(last) >= at) return false;
    this.db.write();
    this.sql.setDate.run(triggerKey, new Date(at).toISOString());
    await this.db.durable();
    return true;
  }

  async updateWindow<T>(triggerKey: string, conditionId: string, fold: (current: ConditionWindow | null) => WindowFold<T>): Promise<T> {
    const json = this.sql.window.get(triggerKey, conditionId) as string | undefined;
    const out = fold(json === undefined ? null : (JSON.parse(json) as ConditionWindow));
    this.db.write();
    if (out.next) this.sql.putWindow.run(triggerKey, conditionId, JSON.stringify(out.next));
    else this.sql.deleteWindow.run(triggerKey, conditionId);
    await this.db.durable();
    return out.result;
  }

  async getWindow(triggerKey: string, conditionId: string): Promise<ConditionWindow | null> {
    const json = this.sql.window.get(triggerKey, conditionId) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as ConditionWindow);
  }

  async getPollState(triggerKey: string): Promise<PollState | null> {
    const json = this.sql.poll.get(triggerKey) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as PollState);
  }

  async updatePollState(triggerKey: string, fold: (current: PollState | null) => PollState | null): Promise<void> {
    const json = this.sql.poll.get(triggerKey) as string | undefined;
    const next = fold(json === undefined ? null : (JSON.parse(json) as PollState));
    this.db.write();
    if (next) this.sql.putPoll.run(triggerKey, JSON.stringify(next));
    else this.sql.deletePoll.run(triggerKey);
    await this.db.durable();
  }

  async deleteTrigger(triggerKey: string): Promise<void> {
    this.db.write();
    this.sql.deleteDate.run(triggerKey);
    this.sql.deleteWindows.run(triggerKey);
    this.sql.deletePoll.run(triggerKey);
    await this.db.durable();
  }
}
