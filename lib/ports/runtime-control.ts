// What the runtime needs beyond storage and queues: delayed wake-ups and stopping running attempts.
import type { WakeUpReason } from '../model/events';
import type { AttemptKey } from './attempt-ledger';

export type { WakeUpReason };

export interface WakeUpScheduler {
  /** Appends a WakeUp event to the execution at (or soon after) `at`. Idempotent per (execution, taskRun, reason, at). */
  schedule(executionId: string, taskRunId: string, at: Date, reason: WakeUpReason): Promise<void>;
}

export interface AttemptControl {
  /** Asks whoever runs the attempt to stop it (kill). Best effort; the result reports KILLED. */
  stop(key: AttemptKey): Promise<void>;
}
