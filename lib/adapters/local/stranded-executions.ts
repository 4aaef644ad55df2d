// Stranded executions of the in-memory store, as the Firestore query finds them: events still
// pending that were appended before a threshold, and leases whose holder died.
import type { StrandedExecutions } from '../../ports/cloud-control';
import type { MemoryExecutionLease } from './execution-lease';
import type { MemoryStateStore } from './state-store';

export class MemoryStrandedExecutions implements StrandedExecutions {
  constructor(private readonly store: MemoryStateStore, private readonly lease?: MemoryExecutionLease) {}

  async find(olderThan: Date, now: Date, limit: number): Promise<string[]> {
    const ids = new Set(this.store.stranded(olderThan, limit));
    for (const id of this.lease?.expired(now, limit) ?? []) ids.add(id);
    return [...ids].slice(0, limit);
  }
}
