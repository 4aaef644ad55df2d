// The executor's serialisation per execution in the cloud: whoever holds an execution's lease folds its
// pending events, so many results landing at once cost a few transactions instead of a storm of them.

export interface LeaseHandle {
  executionId: string;
  holder: string;
  /** ISO time after which others may take the lease. */
  expiresAt: string;
  /** Opaque to callers; the adapter uses it to guard release against a holder that took over. */
  token: string;
}

export interface ExecutionLease {
  /** Takes the lease when it is free or expired; null when someone else holds it. */
  acquire(executionId: string, holder: string, now: Date, ttlMs: number): Promise<LeaseHandle | null>;
  /** Gives the lease up; nothing happens when it was already lost. */
  release(lease: LeaseHandle): Promise<void>;
}
