// Who runs which attempt. A worker claims an attempt before running it, so a duplicate
// delivery runs nothing twice; heartbeats let the scheduler find attempts that were lost.

export interface AttemptKey {
  executionId: string;
  taskRunId: string;
  attempt: number;
}

export interface AttemptClaim extends AttemptKey {
  workerId: string;
  claimedAt: string;
  heartbeat: string;
  /** The attempt's timeout; the scheduler declares it lost after timeout + grace without a heartbeat. */
  timeoutMs?: number;
  state: 'RUNNING' | 'DONE';
  /**
   * What a recovery sweep last saw of this claim while it looked stale: its heartbeat then, and the
   * sweep's time. A later sweep that finds the same heartbeat a full lost-after period later knows the
   * worker is dead, not slow (core/recovery.ts). Losing it only delays a declaration, never makes one.
   */
  suspected?: { heartbeat: string; at: string };
}

export interface AttemptLedger {
  /** True when this caller now owns the attempt; false when it was claimed or finished before. */
  claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean>;
  heartbeat(key: AttemptKey, now: Date): Promise<void>;
  finish(key: AttemptKey, now: Date): Promise<void>;
  /**
   * Ends an attempt nobody has claimed yet, so that its claim fails from now on (a kill of a queued
   * attempt). A claimed attempt is left as it is: it is still running, heartbeats and can be lost.
   */
  refuse(key: AttemptKey, now: Date): Promise<void>;
  /** RUNNING claims whose heartbeat is older than `olderThan`, each with what a sweep last suspected of it. */
  stale(olderThan: Date, limit: number): Promise<AttemptClaim[]>;
  /** Notes that a sweep saw this claim stale at `now` with `heartbeat` (returned by `stale` as `suspected`). */
  suspect(key: AttemptKey, heartbeat: string, now: Date): Promise<void>;
}
