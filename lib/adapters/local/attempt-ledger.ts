// In-memory attempt claims: the first claim of an attempt wins, every later one is refused.
// Times are kept as numbers: claim and finish run once per task on the embedded hot path.
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';

interface Claim {
  executionId: string;
  taskRunId: string;
  attempt: number;
  workerId: string;
  claimedAt: number;
  heartbeat: number;
  timeoutMs: number | undefined;
  suspected?: { heartbeat: string; at: string };
}

/**
 * A finished attempt keeps nothing but the fact that it can never be claimed again: the ledger
 * outlives its executions (a late duplicate delivery must still be refused), so it stays small.
 */
const DONE = 0;
type Slot = Claim | typeof DONE;

/**
 * Claims by execution, then task run. A task run's usual single attempt is stored as its slot;
 * retried runs keep an array by attempt number. Ids are strings the runtime already holds, so
 * their hashes are cached; a joined key would be a new string to hash on every call.
 */
type Claims = Map<string, Map<string, Slot | Array<Slot | undefined>>>;

export class MemoryAttemptLedger implements AttemptLedger {
  private readonly claims: Claims = new Map();

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    return this.claimNow(key, workerId, now, timeoutMs);
  }

  /** `claim`, synchronously (the embedded runtime's hot path). */
  claimNow(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): boolean {
    if (this.slot(key) !== undefined) return false;
    const at = now.getTime();
    this.set(key, {
      executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, workerId, claimedAt: at, heartbeat: at, timeoutMs,
    });
    return true;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    const claim = this.slot(key);
    if (claim) claim.heartbeat = now.getTime();
  }

  /** Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it. */
  async finish(key: AttemptKey): Promise<void> {
    this.finishNow(key);
  }

  /** `finish`, synchronously. */
  finishNow(key: AttemptKey): void {
    this.set(key, DONE);
  }

  async refuse(key: AttemptKey): Promise<void> {
    if (this.slot(key) === undefined) this.set(key, DONE);
  }

  async suspect(key: AttemptKey, heartbeat: string, now: Date): Promise<void> {
    const claim = this.slot(key);
    if (claim) claim.suspected = { heartbeat, at: now.toISOString() };
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    const cutoff = olderThan.getTime();
    const found: Claim[] = [];
    const visit = (slot: Slot | undefined): void => {
      if (slot && slot.heartbeat < cutoff) found.push(slot);
    };
    for (const runs of this.claims.values()) {
      for (const entry of runs.values()) {
        if (Array.isArray(entry)) for (const slot of entry) visit(slot);
        else visit(entry);
      }
    }
    return found.sort((a, b) => a.heartbeat - b.heartbeat).slice(0, limit).map((c) => ({
      executionId: c.executionId, taskRunId: c.taskRunId, attempt: c.attempt, workerId: c.workerId,
      claimedAt: new Date(c.claimedAt).toISOString(), heartbeat: new Date(c.heartbeat).toISOString(),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}), state: 'RUNNING' as const,
      ...(c.suspected ? { suspected: { ...c.suspected } } : {}),
    }));
  }

  private slot(key: AttemptKey): Slot | undefined {
    const entry = this.claims.get(key.executionId)?.get(key.taskRunId);
    if (Array.isArray(entry)) return entry[key.attempt];
    return key.attempt === 0 ? entry : undefined;
  }

  private set(key: AttemptKey, slot: Slot): void {
    let runs = this.claims.get(key.executionId);
    if (!runs) this.claims.set(key.executionId, (runs = new Map()));
    const entry = runs.get(key.taskRunId);
    if (Array.isArray(entry)) {
      entry[key.attempt] = slot;
    } else if (key.attempt === 0) {
      runs.set(key.taskRunId, slot);
    } else {
      // A retry: the run's slots become an array by attempt number.
      const slots = new Array<Slot | undefined>(key.attempt + 1);
      slots[0] = entry;
      slots[key.attempt] = slot;
      runs.set(key.taskRunId, slots);
    }
  }
}
