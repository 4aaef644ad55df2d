// In-memory per-execution leases, with the Firestore lease's contract: one holder at a time, taken
// over once expired, and a release by a holder that lost the lease changes nothing.
import type { ExecutionLease, LeaseHandle } from '../../ports/execution-lease';

interface Held {
  holder: string;
  expiresAtMs: number;
  token: string;
}

export class MemoryExecutionLease implements ExecutionLease {
  private readonly held = new Map<string, Held>();
  private seq = 0;

  async acquire(executionId: string, holder: string, now: Date, ttlMs: number): Promise<LeaseHandle | null> {
    const cur = this.held.get(executionId);
    if (cur && cur.expiresAtMs > now.getTime()) return null;
    const expiresAtMs = now.getTime() + ttlMs;
    const token = String(++this.seq);
    this.held.set(executionId, { holder, expiresAtMs, token });
    return { executionId, holder, expiresAt: new Date(expiresAtMs).toISOString(), token };
  }

  async release(lease: LeaseHandle): Promise<void> {
    if (this.held.get(lease.executionId)?.token === lease.token) this.held.delete(lease.executionId);
  }

  /** Executions whose lease expired before `now` without a release (their holder died). */
  expired(now: Date, limit: number): string[] {
    const out: string[] = [];
    for (const [id, h] of this.held) {
      if (out.length >= limit) break;
      if (h.expiresAtMs < now.getTime()) out.push(id);
    }
    return out;
  }
}
