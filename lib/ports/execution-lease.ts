// The executor's serialisation per execution in the cloud: whoever holds an execution's lease folds its
// pending events, so many results landing at once cost a few transactions instead of a storm of them.

export interface LeaseHandle {
  executionId: string;
  holder: string;
  /** ISO time after which others may take the lease. */
  expiresAt: string;
  /** Opaque to callers; the adapter uses it to guard renew and release. */
  token: string;
}

export interface ExecutionLease {
  /** Takes the lease when it is free or expired; null when someone else holds it. */
  acquire(executionId: string, holder: string, now: Date, ttlMs: number): Promise<LeaseHandle | null>;
  /** Extends a held lease; null when it was lost (it expired and someone took it). */
  renew(lease: LeaseHandle, now: Date, ttlMs: number): Promise<LeaseHandle | null>;
  /** Gives the lease up; nothing happens when it was already lost. */
  release(lease: LeaseHandle): Promise<void>;
}
