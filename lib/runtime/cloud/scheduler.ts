// The `scheduler` function, called every minute by Cloud Scheduler: it repairs what crashed processes
// left behind and fires what is due. Each step runs on its own; one failing is logged and the others
// still run.
//   1. outbox entries older than ALOFT_OUTBOX_REPUBLISH_MS are carried out again (their executor died
//      between commit and publish; every effect is idempotent);
//   2. attempts whose heartbeat is older than ALOFT_LOST_AFTER_MS are lost: a FAILED result with an
//      INFRA_RETRYABLE error is appended under the attempt's own result key (a late real result is then
//      refused), so the engine retries them per the task's retry policy; a zombie worker is told to stop;
//   3. due wake-ups are fired;
//   4. executions with pending events nobody folds (a lost trigger, a dead lease holder) are drained;
//   5. Schedule triggers fire their due dates (lib/triggers), each date once.
import { ErrorCode, toErrorData } from '../../model/errors';
import type { WorkerResult } from '../../model/worker-messages';
import type { AttemptClaim, AttemptLedger } from '../../ports';
import type { AttemptStopStore, StrandedExecutions } from '../../ports/cloud-control';
import type { CloudLog } from './log';
import { drainExecution, publishOutbox, type ExecutorHandlerDeps } from './executor';
import { fireSchedules, type CloudTriggerRegistry, type ScheduleStepReport, type TriggerDeps } from './triggers';
import { fireWakeUp } from '../core/wake-ups';
import { appendEvent } from '../core/effects';

export interface SchedulerDeps {
  executor: ExecutorHandlerDeps;
  ledger: AttemptLedger;
  stops: AttemptStopStore;
  stranded: StrandedExecutions;
  triggers: TriggerDeps;
  registry: CloudTriggerRegistry;
  log: CloudLog;
  republishAfterMs: number;
  lostAfterMs: number;
  sweepAfterMs: number;
  batch: number;
}

export interface SchedulerReport {
  republished: number;
  lost: number;
  wakeUps: number;
  swept: number;
  schedules: ScheduleStepReport | null;
  errors: Array<{ step: string; code: string; message: string }>;
}

export async function schedulerTick(deps: SchedulerDeps, now: Date): Promise<SchedulerReport> {
  const report: SchedulerReport = { republished: 0, lost: 0, wakeUps: 0, swept: 0, schedules: null, errors: [] };
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      const e = deps.log.error(`scheduler: step ${name} failed`, err);
      report.errors.push({ step: name, code: e.code, message: e.message });
    }
  };
  await step('outbox', async () => { report.republished = await republish(deps, now); });
  await step('lost-attempts', async () => { report.lost = await recoverLost(deps, now); });
  await step('wake-ups', async () => { report.wakeUps = await fireDue(deps, now); });
  await step('sweep', async () => { report.swept = await sweep(deps, now); });
  await step('schedules', async () => { report.schedules = await fireSchedules(deps.triggers, deps.registry, now); });
  const busy = report.republished + report.lost + report.wakeUps + report.swept + (report.schedules?.started ?? 0) > 0;
  deps.log.write(busy ? 'INFO' : 'DEBUG',
    `scheduler: ${report.republished} effect(s) republished, ${report.lost} lost attempt(s), ${report.wakeUps} wake-up(s), ${report.swept} execution(s) swept, ${report.schedules?.started ?? 0} scheduled execution(s) started`,
    {}, { report });
  return report;
}

async function republish(deps: SchedulerDeps, now: Date): Promise<number> {
  const { store } = deps.executor.exec;
  const entries = await store.unpublished(new Date(now.getTime() - deps.republishAfterMs), deps.batch);
  if (entries.length === 0) return 0;
  const done = await publishOutbox(deps.executor, deps.executor.effects, entries, {});
  for (const e of done) deps.log.warn(`scheduler: effect ${e.effect.type} of execution ${e.executionId} was published late (its executor did not)`, { executionId: e.executionId });
  return done.length;
}

export function lostResult(claim: AttemptClaim, now: Date): WorkerResult {
  return {
    executionId: claim.executionId, taskRunId: claim.taskRunId, attempt: claim.attempt, state: 'FAILED',
    error: {
      code: ErrorCode.INFRA_RETRYABLE,
      message: `attempt ${claim.attempt + 1} was lost: its worker ${claim.workerId} sent no heartbeat since ${claim.heartbeat}`,
    },
    startedAt: claim.claimedAt, endedAt: now.toISOString(),
  };
}

async function recoverLost(deps: SchedulerDeps, now: Date): Promise<number> {
  const { store, clock, ids } = deps.executor.exec;
  const claims = await deps.ledger.stale(new Date(now.getTime() - deps.lostAfterMs), deps.batch);
  let lost = 0;
  for (const claim of claims) {
    const key = { executionId: claim.executionId, taskRunId: claim.taskRunId, attempt: claim.attempt };
    const labels = { executionId: claim.executionId, taskRunId: claim.taskRunId };
    try {
      const added = await appendEvent({ store, clock, ids, wake: () => undefined }, claim.executionId, { type: 'WorkerResult', result: lostResult(claim, now) });
      if (added) {
        lost++;
        deps.log.warn(`scheduler: attempt ${claim.attempt + 1} of task run ${claim.taskRunId} is lost (worker ${claim.workerId}, last heartbeat ${claim.heartbeat})`, labels);
      }
    } catch (err) {
      if (toErrorData(err).code !== ErrorCode.NOT_FOUND) throw err;
    }
    await deps.stops.request(key, now);
    await deps.ledger.finish(key, now);
  }
  return lost;
}

async function fireDue(deps: SchedulerDeps, now: Date): Promise<number> {
  const { store, clock, ids } = deps.executor.exec;
  const due = await deps.executor.wakeUpStore.due(now, deps.batch);
  let fired = 0;
  for (const w of due) {
    if (await fireWakeUp({ store, clock, ids, wakeUpStore: deps.executor.wakeUpStore }, w)) fired++;
  }
  return fired;
}

async function sweep(deps: SchedulerDeps, now: Date): Promise<number> {
  const ids = await deps.stranded.find(new Date(now.getTime() - deps.sweepAfterMs), now, deps.batch);
  let swept = 0;
  for (const id of ids) {
    try {
      const out = await drainExecution(deps.executor, id);
      if ((out.passes ?? 0) > 0) {
        swept++;
        deps.log.warn(`scheduler: execution ${id} had pending events nobody folded; folded them`, { executionId: id });
      }
    } catch (err) {
      deps.log.error(`scheduler: execution ${id} could not be swept`, err, { executionId: id });
    }
  }
  return swept;
}
