// The `scheduler` function, called every minute by Cloud Scheduler: it repairs what crashed processes
// left behind and fires what is due. Each step runs on its own; one failing is logged and the others
// still run.
// Steps 1-4 are the recovery sweep both runtimes share (core/recovery.ts), with the cloud's cut-offs:
// outbox entries older than ALOFT_OUTBOX_REPUBLISH_MS, heartbeats older than ALOFT_LOST_AFTER_MS, events
// pending longer than ALOFT_SWEEP_AFTER_MS (a lost trigger, a dead lease holder), which are drained
// under the lease. Step 5: Schedule triggers fire their due dates (lib/triggers), each date once.
// Step 6: polling triggers (Kafka, BigQuery, GCS) whose interval slot is due poll once (core/polling.ts).
import type { AttemptLedger } from '../../ports';
import type { AttemptStopStore, StrandedExecutions } from '../../ports/cloud-control';
import type { CloudLog } from './log';
import { drainExecution, type ExecutorHandlerDeps } from './executor';
import { fireSchedules, pollDue, type CloudTriggerRegistry, type ScheduleStepReport, type TriggerDeps } from './triggers';
import { publishOutbox } from '../core/publish';
import { fireDue, recoverLost, republish, sweep, type RecoveryDeps } from '../core/recovery';
import { fireWakeUp } from '../core/wake-ups';

export { lostResult } from '../core/recovery';

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
  /** Stale attempts whose worker may be slow, not dead: lost only if a later pass sees the same heartbeat. */
  suspected: number;
  wakeUps: number;
  swept: number;
  schedules: ScheduleStepReport | null;
  /** Executions started by polling triggers (Kafka, BigQuery, GCS). */
  polled: number;
  errors: Array<{ step: string; code: string; message: string }>;
}

/** The shared recovery sweep over the cloud's adapters. */
export function recoveryOf(deps: SchedulerDeps): RecoveryDeps {
  const ex = deps.executor;
  const { store, clock, ids } = ex.exec;
  const log = deps.log;
  return {
    store, ledger: deps.ledger, wakeUpStore: ex.wakeUpStore, stranded: deps.stranded, clock, ids, batch: deps.batch,
    // No process to ask whether a worker instance lives: an old heartbeat is confirmed before it counts.
    confirmLost: true,
    publish: (entries) => publishOutbox({
      publishConcurrency: ex.publishConcurrency,
      failed: (entry, error) => log.error(entry ? `scheduler: effect ${entry.effect.type} of execution ${entry.executionId} was not carried out; it stays in the outbox`
        : 'scheduler: published effects could not be acknowledged', error, entry ? { executionId: entry.executionId } : {}),
    }, ex.effects, entries),
    fire: (w) => fireWakeUp({ store, clock, ids, wakeUpStore: ex.wakeUpStore }, w),
    fold: async (id) => ((await drainExecution(ex, id)).passes ?? 0) > 0,
    stop: (key) => deps.stops.request(key, clock.now()),
    // Appends wake the executor through Firestore.
    wake: () => undefined,
    report: (level, message, labels, error) => {
      if (level === 'ERROR') log.error(`scheduler: ${message}`, error ?? message, labels);
      else log.warn(`scheduler: ${message}`, labels);
    },
  };
}

export async function schedulerTick(deps: SchedulerDeps, now: Date): Promise<SchedulerReport> {
  const report: SchedulerReport = { republished: 0, lost: 0, suspected: 0, wakeUps: 0, swept: 0, schedules: null, polled: 0, errors: [] };
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      const e = deps.log.error(`scheduler: step ${name} failed`, err);
      report.errors.push({ step: name, code: e.code, message: e.message });
    }
  };
  const r = recoveryOf(deps);
  const before = (ms: number): Date => new Date(now.getTime() - ms);
  await step('outbox', async () => { report.republished = await republish(r, before(deps.republishAfterMs)); });
  await step('lost-attempts', async () => { ({ lost: report.lost, suspected: report.suspected } = await recoverLost(r, before(deps.lostAfterMs), now)); });
  await step('wake-ups', async () => { report.wakeUps = await fireDue(r, now); });
  await step('sweep', async () => { report.swept = await sweep(r, before(deps.sweepAfterMs), now); });
  await step('schedules', async () => { report.schedules = await fireSchedules(deps.triggers, deps.registry, now); });
  await step('polling', async () => { report.polled = await pollDue(deps.triggers, deps.registry, now); });
  const busy = report.republished + report.lost + report.wakeUps + report.swept + (report.schedules?.started ?? 0) + report.polled > 0;
  deps.log.write(busy ? 'INFO' : 'DEBUG',
    `scheduler: ${report.republished} effect(s) republished, ${report.lost} lost attempt(s), ${report.wakeUps} wake-up(s), ${report.swept} execution(s) swept, ${report.schedules?.started ?? 0} scheduled execution(s) started, ${report.polled} by polling triggers`,
    {}, { report });
  return report;
}
