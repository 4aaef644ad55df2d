// In-memory trigger state. Each operation reads and writes in one synchronous run, which is the
// in-process equivalent of a Firestore transaction: no other caller can interleave.
import type { ConditionWindow, PollState, TriggerStateStore, WindowFold } from '../../ports/trigger-state';

interface Entry {
  lastDate?: string;
  windows: Map<string, ConditionWindow>;
  poll?: PollState;
}

export class MemoryTriggerStateStore implements TriggerStateStore {
  private readonly entries = new Map<string, Entry>();

  async getLastDate(triggerKey: string): Promise<string | undefined> {
    return this.entries.get(triggerKey)?.lastDate;
  }

  async initSchedule(triggerKey: string, date: string): Promise<boolean> {
    const entry = this.entry(triggerKey);
    if (entry.lastDate !== undefined) return false;
    entry.lastDate = new Date(date).toISOString();
    return true;
  }

  async claimScheduleDate(triggerKey: string, date: string): Promise<boolean> {
    const entry = this.entry(triggerKey);
    const at = Date.parse(date);
    if (entry.lastDate !== undefined && Date.parse(entry.lastDate) >= at) return false;
    entry.lastDate = new Date(at).toISOString();
    return true;
  }

  async updateWindow<T>(triggerKey: string, conditionId: string, fold: (current: ConditionWindow | null) => WindowFold<T>): Promise<T> {
    const entry = this.entry(triggerKey);
    const current = entry.windows.get(conditionId);
    const out = fold(current ? clone(current) : null);
    if (out.next) entry.windows.set(conditionId, clone(out.next));
    else entry.windows.delete(conditionId);
    return out.result;
  }

  async getWindow(triggerKey: string, conditionId: string): Promise<ConditionWindow | null> {
    const w = this.entries.get(triggerKey)?.windows.get(conditionId);
    return w ? clone(w) : null;
  }

  async getPollState(triggerKey: string): Promise<PollState | null> {
    const poll = this.entries.get(triggerKey)?.poll;
    return poll ? structuredClone(poll) : null;
  }

  async updatePollState(triggerKey: string, fold: (current: PollState | null) => PollState | null): Promise<void> {
    const entry = this.entry(triggerKey);
    const next = fold(entry.poll ? structuredClone(entry.poll) : null);
    if (next) entry.poll = structuredClone(next);
    else delete entry.poll;
  }

  async deleteTrigger(triggerKey: string): Promise<void> {
    this.entries.delete(triggerKey);
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { windows: new Map() };
      this.entries.set(key, e);
    }
    return e;
  }
}

const clone = (w: ConditionWindow): ConditionWindow => ({ start: w.start, end: w.end, results: { ...w.results } });
