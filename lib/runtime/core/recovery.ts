// The recovery sweep, one code for both runtimes: what a crashed process left behind is found in the
// stores and finished. The cloud `scheduler` function runs it every minute; the embedded runtime runs it
// when it starts on a data directory (everything of the dead process at once) and then periodically.
//   1. outbox entries committed but never acknowledged are carried out again (every effect is idempotent);
//   2. attempts whose heartbeat is too old are lost: a FAILED result with INFRA_RETRYABLE, marked `lost`, is
//      appended under the attempt's own result key (a late real result is then refused), so the engine runs
//      the task again whatever its retry policy (engine/retry.ts); the zombie worker, if any, is told to stop.
//      Where the sweeper cannot know whether the worker lives (`confirmLost`: the cloud), an old heartbeat
//      is first only suspected: a slow worker (a loaded machine, a slow store) still beats, late; a dead one
//      never again. The attempt is lost once a later sweep, a full lost-after period on, sees the same beat;
//   3. due wake-ups are fired;
//   4. executions with pending events nobody folds are folded.
import { ErrorCode, toErrorData, type AloftErrorData } from '../../model/errors';
import type { WorkerResult } from '../../model/worker-messages';
import type { AttemptClaim, AttemptKey, AttemptLedger, Clock, Ids, OutboxEntry, StateStore } from '../../ports';
import type { StrandedExecutions, WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';
import { appendEvent } from './effects';

export interface RecoveryDeps {
  store: StateStore;
  ledger: AttemptLedger;
  wakeUpStore: WakeUpStore;
  stranded: StrandedExecutions;
  clock: Clock;
  ids: Ids;
  /** Carries out outbox entries (core/publish.ts); returns those that went out. */
  publish(entries: readonly OutboxEntry[]): Promise<OutboxEntry[]>;
  /** Fires one stored wake-up (core/wake-ups.ts fireWakeUp); true when its event was new. */
  fire(w: WakeUpRecord): Promise<boolean>;
  /** Folds an execution's pending events; true when something was folded. */
  fold(executionId: string): Promise<boolean>;
  /** Tells whoever may still run a lost attempt to stop. */
  stop(key: AttemptKey): Promise<void>;
  /** Called after an event was appended. */
  wake(executionId: string): void;
  report(level: 'WARN' | 'ERROR', message: string, labels: { executionId?: string; taskRunId?: string }, error?: AloftErrorData): void;
  batch: number;
  /**
   * True where a stale claim may belong to a live worker that is only slow (the cloud: no process to
   * ask). False where every stale claim the sweep sees is known dead (embedded: its own process's
   * claims are left out, and the data directory's lock means every other claim's process died).
   */
  confirmLost: boolean;
}

export interface RecoveryCutoffs {
  /** Outbox entries committed before this are carried out again. */
  republishBefore: Date;
  /** Running attempts whose heartbeat is older than this are lost. */
  lostBefore: Date;
  /** Executions with events pending since before this are folded. */
  strandedBefore: Date;
}

/** What one look at stale claims did. */
export interface LostReport {
  /** Attempts declared lost. */
  lost: number;
  /** Stale claims noted as suspected, or still waiting for their confirmation. */
  suspected: number;
}

export interface RecoveryReport {
  republished: number;
  lost: number;
  wakeUps: number;
  swept: number;
}

export async function republish(deps: RecoveryDeps, before: Date): Promise<number> {
  const entries = await deps.store.unpublished(before, deps.batch);
  if (entries.length === 0) return 0;
  const done = await deps.publish(entries);
  for (const e of done) {
    deps.report('WARN', `effect ${e.effect.type} of execution ${e.executionId} was published late (its executor did not)`, { executionId: e.executionId });
  }
  return done.length;
}

export function lostResult(claim: AttemptClaim, now: Date): WorkerResult {
  return {
    executionId: claim.executionId, taskRunId: claim.taskRunId, attempt: claim.attempt, state: 'FAILED',
    error: {
      code: ErrorCode.INFRA_RETRYABLE,
      message: `attempt ${claim.attempt + 1} was lost: its worker ${claim.workerId} sent no heartbeat since ${claim.heartbeat}`,
    },
    startedAt: claim.claimedAt, endedAt: now.toISOString(), lost: true,
  };
}

/**
 * True when a sweep saw this very heartbeat at least one lost-after period ago (`before` is now minus
 * that period): the worker beat nothing since, in two looks a full period apart, so it is dead.
 */
export function confirmedDead(claim: AttemptClaim, before: Date): boolean {
  return claim.suspected !== undefined && claim.suspected.heartbeat === claim.heartbeat && Date.parse(claim.suspected.at) <= before.getTime();
}

export async function recoverLost(deps: RecoveryDeps, before: Date, now: Date): Promise<LostReport> {
  const claims = await deps.ledger.stale(before, deps.batch);
  let lost = 0;
  let suspected = 0;
  for (const claim of claims) {
    const key = { executionId: claim.executionId, taskRunId: claim.taskRunId, attempt: claim.attempt };
    if (deps.confirmLost && !confirmedDead(claim, before)) {
      suspected++;
      // The first look at this heartbeat starts the wait; a look during the wait keeps its start.
      if (claim.suspected?.heartbeat !== claim.heartbeat) {
        await deps.ledger.suspect(key, claim.heartbeat, now);
        // Said, because many of these mean slow workers (a loaded instance, a slow store), not dead ones.
        deps.report('WARN', `attempt ${claim.attempt + 1} of task run ${claim.taskRunId} is suspected lost (worker ${claim.workerId}, last heartbeat ${claim.heartbeat}): lost if the same heartbeat is still there a lost-after period from now`,
          { executionId: claim.executionId, taskRunId: claim.taskRunId });
      }
      continue;
    }
    try {
      const added = await appendEvent(deps, claim.executionId, { type: 'WorkerResult', result: lostResult(claim, now) });
      if (added) {
        lost++;
        deps.report('WARN', `attempt ${claim.attempt + 1} of task run ${claim.taskRunId} is lost (worker ${claim.workerId}, last heartbeat ${claim.heartbeat})`,
          { executionId: claim.executionId, taskRunId: claim.taskRunId });
      }
    } catch (err) {
      if ((err as { code?: unknown })?.code !== ErrorCode.NOT_FOUND) throw err;
    }
    await deps.stop(key);
    await deps.ledger.finish(key, now);
  }
  return { lost, suspected };
}

export async function fireDue(deps: RecoveryDeps, now: Date): Promise<number> {
  let fired = 0;
  for (const w of await deps.wakeUpStore.due(now, deps.batch)) if (await deps.fire(w)) fired++;
  return fired;
}

export async function sweep(deps: RecoveryDeps, before: Date, now: Date): Promise<number> {
  let swept = 0;
  for (const id of await deps.stranded.find(before, now, deps.batch)) {
    try {
      if (await deps.fold(id)) {
        swept++;
        deps.report('WARN', `execution ${id} had pending events nobody folded; folded them`, { executionId: id });
      }
    } catch (err) {
      deps.report('ERROR', `execution ${id} could not be swept`, { executionId: id }, toErrorData(err));
    }
  }
  return swept;
}
