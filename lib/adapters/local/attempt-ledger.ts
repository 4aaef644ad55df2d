// In-memory attempt claims: the first claim of an attempt wins, every later one is refused.
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';

const keyOf = (k: AttemptKey): string => `${k.executionId}/${k.taskRunId}/${k.attempt}`;

export class MemoryAttemptLedger implements AttemptLedger {
  private readonly claims = new Map<string, AttemptClaim>();

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const id = keyOf(key);
    if (this.claims.has(id)) return false;
    const at = now.toISOString();
    this.claims.set(id, {
      executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, workerId, claimedAt: at, heartbeat: at,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}), state: 'RUNNING',
    });
    return true;
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    const claim = this.claims.get(keyOf(key));
    if (claim?.state === 'RUNNING') claim.heartbeat = now.toISOString();
  }

  async finish(key: AttemptKey, now: Date): Promise<void> {
    const id = keyOf(key);
    const claim = this.claims.get(id);
    // Finishing an unclaimed attempt still records it, so a late duplicate delivery cannot claim it.
    if (claim) {
      claim.state = 'DONE';
      claim.heartbeat = now.toISOString();
    } else {
      const at = now.toISOString();
      this.claims.set(id, { ...key, workerId: '', claimedAt: at, heartbeat: at, state: 'DONE' });
    }
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    const cutoff = olderThan.toISOString();
    const out: AttemptClaim[] = [];
    for (const claim of this.claims.values()) {
      if (claim.state === 'RUNNING' && claim.heartbeat < cutoff) out.push({ ...claim });
    }
    return out.sort((a, b) => (a.heartbeat < b.heartbeat ? -1 : a.heartbeat > b.heartbeat ? 1 : 0)).slice(0, limit);
  }
}
