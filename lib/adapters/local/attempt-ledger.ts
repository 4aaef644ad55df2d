// In-memory attempt claims: the first claim of an attempt wins, every later one is refused.
// Times are kept as numbers: claim and finish run once per task on the embedded hot path.
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';

interface Claim {
  key: AttemptKey;
  workerId: string;
  claimedAt: number;
  heartbeat: number;
  timeoutMs?: number;
  done: boolean;
}

const keyOf = (k: AttemptKey): string => `${k.executionId}/${k.taskRunId}/${k.attempt}`;

export class MemoryAttemptLedger implements AttemptLedger {
  private readonly claims = new Map<string, Claim>();

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const id = keyOf(key);
    if (this.claims.has(id)) return false;
    const at = now.getTime();
    this.claims.set(id, { key, workerId, claimedAt: at, heartbeat: at, timeoutMs, done: false });
    return true;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    const claim = this.claims.get(keyOf(key));
    if (claim && !claim.done) claim.heartbeat = now.getTime();
  }

  async finish(key: AttemptKey, now: Date): Promise<void> {
    const id = keyOf(key);
    const claim = this.claims.get(id);
    // Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it.
    if (claim) {
      claim.done = true;
      claim.heartbeat = now.getTime();
    } else {
      this.claims.set(id, { key, workerId: '', claimedAt: now.getTime(), heartbeat: now.getTime(), done: true });
    }
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    const cutoff = olderThan.getTime();
    const found: Claim[] = [];
    for (const claim of this.claims.values()) if (!claim.done && claim.heartbeat < cutoff) found.push(claim);
    return found.sort((a, b) => a.heartbeat - b.heartbeat).slice(0, limit).map((c) => ({
      executionId: c.key.executionId, taskRunId: c.key.taskRunId, attempt: c.key.attempt, workerId: c.workerId,
      claimedAt: new Date(c.claimedAt).toISOString(), heartbeat: new Date(c.heartbeat).toISOString(),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}), state: 'RUNNING' as const,
    }));
  }
}
