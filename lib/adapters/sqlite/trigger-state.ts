// Trigger state on SQLite: the last claimed date of each schedule, the windows of MultipleConditions
// and the state of polling triggers. Each operation reads and writes in one synchronous run, so no
// other caller interleaves (the equivalent of a Firestore transaction). Reads see what is committed;
// what this process wrote in a batch not committed yet is answered from memory (unacked.ts).
import type Database from 'better-sqlite3';
import type { ConditionWindow, PollState, TriggerStateStore, WindowFold } from '../../ports/trigger-state';
import type { SqliteDatabase, WriteStatement } from './database';
import { Unacked } from './unacked';

const SEP = '\u0000';

export class SqliteTriggerStateStore implements TriggerStateStore {
  private readonly sql: {
    lastDate: Database.Statement<[string]>;
    setDate: WriteStatement<[string, string]>;
    window: Database.Statement<[string, string]>;
    putWindow: WriteStatement<[string, string, string]>;
    deleteWindow: WriteStatement<[string, string]>;
    deleteDate: WriteStatement<[string]>;
    deleteWindows: WriteStatement<[string]>;
    poll: Database.Statement<[string]>;
    putPoll: WriteStatement<[string, string]>;
    deletePoll: WriteStatement<[string]>;
  };
  /** Written and not committed yet: dates and polls by trigger, windows by trigger and condition (null: deleted). */
  private readonly dates: Unacked<string | null>;
  private readonly windows: Unacked<string | null>;
  private readonly polls: Unacked<string | null>;
  /** Triggers whose windows were all deleted in a batch not committed yet. */
  private readonly cleared: Unacked<true>;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      lastDate: raw.prepare('SELECT last_date FROM trigger_dates WHERE trigger_key = ?').pluck(),
      setDate: db.statement('INSERT INTO trigger_dates (trigger_key, last_date) VALUES (?, ?) ON CONFLICT (trigger_key) DO UPDATE SET last_date = excluded.last_date'),
      window: raw.prepare('SELECT json FROM trigger_windows WHERE trigger_key = ? AND condition_id = ?').pluck(),
      putWindow: db.statement(
        'INSERT INTO trigger_windows (trigger_key, condition_id, json) VALUES (?, ?, ?) ON CONFLICT (trigger_key, condition_id) DO UPDATE SET json = excluded.json',
      ),
      deleteWindow: db.statement('DELETE FROM trigger_windows WHERE trigger_key = ? AND condition_id = ?'),
      deleteDate: db.statement('DELETE FROM trigger_dates WHERE trigger_key = ?'),
      deleteWindows: db.statement('DELETE FROM trigger_windows WHERE trigger_key = ?'),
      poll: raw.prepare('SELECT json FROM trigger_polls WHERE trigger_key = ?').pluck(),
      putPoll: db.statement('INSERT INTO trigger_polls (trigger_key, json) VALUES (?, ?) ON CONFLICT (trigger_key) DO UPDATE SET json = excluded.json'),
      deletePoll: db.statement('DELETE FROM trigger_polls WHERE trigger_key = ?'),
    };
    this.dates = new Unacked(db);
    this.windows = new Unacked(db);
    this.polls = new Unacked(db);
    this.cleared = new Unacked(db);
  }

  async getLastDate(triggerKey: string): Promise<string | undefined> {
    return this.lastDate(triggerKey);
  }

  async initSchedule(triggerKey: string, date: string): Promise<boolean> {
    if (this.lastDate(triggerKey) !== undefined) return false;
    this.setDate(triggerKey, new Date(date).toISOString());
    await this.db.durable();
    return true;
  }

  async claimScheduleDate(triggerKey: string, date: string): Promise<boolean> {
    const last = this.lastDate(triggerKey);
    const at = Date.parse(date);
    if (last !== undefined && Date.parse(last) >= at) return false;
    this.setDate(triggerKey, new Date(at).toISOString());
    await this.db.durable();
    return true;
  }

  async updateWindow<T>(triggerKey: string, conditionId: string, fold: (current: ConditionWindow | null) => WindowFold<T>): Promise<T> {
    const out = fold(this.window(triggerKey, conditionId));
    if (out.next) {
      const json = JSON.stringify(out.next);
      this.sql.putWindow.run(triggerKey, conditionId, json);
      this.windows.set(`${triggerKey}${SEP}${conditionId}`, json);
    } else {
      this.sql.deleteWindow.run(triggerKey, conditionId);
      this.windows.set(`${triggerKey}${SEP}${conditionId}`, null);
    }
    await this.db.durable();
    return out.result;
  }

  async getWindow(triggerKey: string, conditionId: string): Promise<ConditionWindow | null> {
    return this.window(triggerKey, conditionId);
  }

  async getPollState(triggerKey: string): Promise<PollState | null> {
    return this.pollState(triggerKey);
  }

  async updatePollState(triggerKey: string, fold: (current: PollState | null) => PollState | null): Promise<void> {
    const next = fold(this.pollState(triggerKey));
    if (next) {
      const json = JSON.stringify(next);
      this.sql.putPoll.run(triggerKey, json);
      this.polls.set(triggerKey, json);
    } else {
      this.sql.deletePoll.run(triggerKey);
      this.polls.set(triggerKey, null);
    }
    await this.db.durable();
  }

  async deleteTrigger(triggerKey: string): Promise<void> {
    this.sql.deleteDate.run(triggerKey);
    this.sql.deleteWindows.run(triggerKey);
    this.sql.deletePoll.run(triggerKey);
    this.dates.set(triggerKey, null);
    this.polls.set(triggerKey, null);
    this.windows.forget((key) => key.startsWith(`${triggerKey}${SEP}`));
    this.cleared.set(triggerKey, true);
    await this.db.durable();
  }

  private lastDate(triggerKey: string): string | undefined {
    const pending = this.dates.get(triggerKey);
    if (pending) return pending.value ?? undefined;
    return (this.sql.lastDate.get(triggerKey) as string | undefined) ?? undefined;
  }

  private setDate(triggerKey: string, date: string): void {
    this.sql.setDate.run(triggerKey, date);
    this.dates.set(triggerKey, date);
  }

  private window(triggerKey: string, conditionId: string): ConditionWindow | null {
    const pending = this.windows.get(`${triggerKey}${SEP}${conditionId}`);
    let json: string | null | undefined;
    if (pending) json = pending.value;
    else if (this.cleared.get(triggerKey)) json = null;
    else json = this.sql.window.get(triggerKey, conditionId) as string | undefined;
    return json === undefined || json === null ? null : (JSON.parse(json) as ConditionWindow);
  }

  private pollState(triggerKey: string): PollState | null {
    const pending = this.polls.get(triggerKey);
    const json = pending ? pending.value : (this.sql.poll.get(triggerKey) as string | undefined);
    return json === undefined || json === null ? null : (JSON.parse(json) as PollState);
  }
}
