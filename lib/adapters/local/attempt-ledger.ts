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

/**
 * Claims by execution, then task run, then attempt number. Ids are strings the runtime already
 * holds, so their hashes are cached; a joined key would be a new string to hash on every call.
 */
type Claims = Map<string, Map<string, Claim[]>>;

export class MemoryAttemptLedger implements AttemptLedger {
  private readonly claims: Claims = new Map();

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const attempts = this.attempts(key);
    if (attempts[key.attempt]) return false;
    const at = now.getTime();
    attempts[key.attempt] = { key, workerId, claimedAt: at, heartbeat: at, timeoutMs, done: false };
    return true;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    const claim = this.claims.get(key.executionId)?.get(key.taskRunId)?.[key.attempt];
    if (claim && !claim.done) claim.heartbeat = now.getTime();
  }

  async finish(key: AttemptKey, now: Date): Promise<void> {
    const attempts = this.attempts(key);
    const claim = attempts[key.attempt];
    // Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it.
    if (claim) {
      claim.done = true;
      claim.heartbeat = now.getTime();
    } else {
      attempts[key.attempt] = { key, workerId: '', claimedAt: now.getTime(), heartbeat: now.getTime(), done: true };
    }
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    const cutoff = olderThan.getTime();
    const found: Claim[] = [];
    for (const runs of this.claims.values()) {
      for (const attempts of runs.values()) {
        for (const claim of attempts) if (claim && !claim.done && claim.heartbeat < cutoff) found.push(claim);
      }
    }
    return found.sort((a, b) => a.heartbeat - b.heartbeat).slice(0, limit).map((c) => ({
      executionId: c.key.executionId, taskRunId: c.key.taskRunId, attempt: c.key.attempt, workerId: c.workerId,
      claimedAt: new Date(c.claimedAt).toISOString(), heartbeat: new Date(c.heartbeat).toISOString(),
      ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}), state: 'RUNNING' as const,
    }));
  }

  private attempts(key: AttemptKey): Claim[] {
    let runs = this.claims.get(key.executionId);
    if (!runs) this.claims.set(key.executionId, (runs = new Map()));
    let attempts = runs.get(key.taskRunId);
    if (!attempts) runs.set(key.taskRunId, (attempts = []));
    return attempts;
  }
}
