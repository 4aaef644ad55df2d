// What the cloud runtime keeps beside execution state, so that nothing depends on a process staying
// alive: wake-ups due at a time (fired by the scheduler), "stop this attempt" requests (read by the
// worker that runs it), and the executions whose pending events nobody is folding.
import type { AttemptKey } from './attempt-ledger';
import type { WakeUpReason } from './runtime-control';

export interface WakeUpRecord {
  /** The same for the same (execution, task run, reason, at): storing it twice keeps one. */
  id: string;
  executionId: string;
  taskRunId: string;
  reason: WakeUpReason;
  /** ISO-8601. */
  at: string;
}

export interface WakeUpStore {
  /** Stores the wake-up (idempotent by id). */
  put(wakeUp: WakeUpRecord): Promise<void>;
  /** Wake-ups due at `now` or before, earliest first. */
  due(now: Date, limit: number): Promise<WakeUpRecord[]>;
  /** Forgets a fired wake-up; nothing happens when it is already gone. */
  remove(id: string): Promise<void>;
}

export interface AttemptStopStore {
  /** Records that the attempt must stop (a kill, or an attempt declared lost). */
  request(key: AttemptKey, now: Date): Promise<void>;
  /** True when a stop was requested for the attempt. */
  requested(key: AttemptKey): Promise<boolean>;
}

export interface StrandedExecutions {
  /**
   * Executions that may have pending events nobody is folding: events appended before `olderThan`
   * and still pending, or a lease that expired before `now` (its holder died).
   */
  find(olderThan: Date, now: Date, limit: number): Promise<string[]>;
}
