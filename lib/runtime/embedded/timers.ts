// Wake-ups for the embedded runtime: in-process timers, tracked so that stop() clears them
// and `aloft run` can tell a paused execution that will wake from one that waits for a person.
import type { Clock, WakeUpReason, WakeUpScheduler } from '../../ports';

export class LocalWakeUps implements WakeUpScheduler {
  private readonly timers = new Map<string, Set<NodeJS.Timeout>>();

  constructor(private readonly clock: Clock, private readonly fire: (executionId: string, taskRunId: string, reason: WakeUpReason) => Promise<void>) {}

  async schedule(executionId: string, taskRunId: string, at: Date, reason: WakeUpReason): Promise<void> {
    const set = this.timers.get(executionId) ?? new Set();
    this.timers.set(executionId, set);
    const timer = setTimeout(() => {
      set.delete(timer);
      if (set.size === 0) this.timers.delete(executionId);
      void this.fire(executionId, taskRunId, reason);
    }, Math.max(0, at.getTime() - this.clock.now().getTime()));
    set.add(timer);
  }

  has(executionId: string): boolean {
    return (this.timers.get(executionId)?.size ?? 0) > 0;
  }

  cancelAll(): void {
    for (const set of this.timers.values()) for (const t of set) clearTimeout(t);
    this.timers.clear();
  }
}
