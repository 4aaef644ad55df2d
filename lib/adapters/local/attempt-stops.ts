// In-memory "stop this attempt" requests, with the Firestore store's contract.
import type { AttemptKey } from '../../ports/attempt-ledger';
import type { AttemptStopStore } from '../../ports/cloud-control';

const stopId = (k: AttemptKey): string => `${k.executionId}:${k.taskRunId}:${k.attempt}`;

export class MemoryAttemptStops implements AttemptStopStore {
  private readonly requests = new Set<string>();

  async request(k: AttemptKey, _now: Date): Promise<void> {
    this.requests.add(stopId(k));
  }

  async requested(k: AttemptKey): Promise<boolean> {
    return this.requests.has(stopId(k));
  }
}
