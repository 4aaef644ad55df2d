// In-memory wake-ups due at a time, with the Firestore store's contract: idempotent by id, read back
// earliest first.
import type { WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';

export class MemoryWakeUpStore implements WakeUpStore {
  private readonly items = new Map<string, WakeUpRecord & { dueAtMs: number }>();

  async put(w: WakeUpRecord): Promise<void> {
    this.items.set(w.id, { ...w, dueAtMs: Date.parse(w.at) });
  }

  async due(now: Date, limit: number): Promise<WakeUpRecord[]> {
    const due = [...this.items.values()].filter((w) => w.dueAtMs <= now.getTime()).sort((a, b) => a.dueAtMs - b.dueAtMs);
    return due.slice(0, limit).map(({ dueAtMs: _due, ...w }) => w);
  }

  async remove(id: string): Promise<void> {
    this.items.delete(id);
  }
}
