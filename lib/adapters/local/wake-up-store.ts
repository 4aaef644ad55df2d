// In-memory wake-ups (WakeUpStore): kept by id, listed earliest first.
import type { WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';

export class MemoryWakeUpStore implements WakeUpStore {
  private readonly byId = new Map<string, WakeUpRecord>();

  async put(wakeUp: WakeUpRecord): Promise<void> {
    if (!this.byId.has(wakeUp.id)) this.byId.set(wakeUp.id, wakeUp);
  }

  async due(now: Date, limit: number): Promise<WakeUpRecord[]> {
    const cutoff = now.getTime();
    const due: WakeUpRecord[] = [];
    for (const w of this.byId.values()) if (Date.parse(w.at) <= cutoff) due.push(w);
    return due.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.id < b.id ? -1 : 1)).slice(0, limit);
  }

  async remove(id: string): Promise<void> {
    this.byId.delete(id);
  }
}
