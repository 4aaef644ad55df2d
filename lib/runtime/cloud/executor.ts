// The `executor` function: woken by every event appended to an execution's inbox (a Firestore
// document written under executions/{id}/inbox/), it folds the execution's pending events through the
// engine and publishes the effects.
//
// Work is serialised per execution with a short lease (lib/adapters/gcp/lease.ts): the invocation that
// takes it folds every pending event, publishes each pass's outbox, releases, then looks once more;
// an invocation that finds the lease taken returns at once, because the holder will see its event.
// A fan-in of 200 results is thus a handful of transactions, not 200 racing ones. A holder that dies
// leaves an expired lease, which the scheduler's sweep takes over.
//
// Errors: infrastructure failures and lost races are thrown, so Eventarc delivers the event again;
// anything else (a corrupt document, a deleted flow) is logged as a structured error and acknowledged,
// so one bad execution never loops forever.
import { ErrorCode, toErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { OutboxEntry } from '../../ports';
import type { ExecutionLease } from '../../ports/execution-lease';
import type { WakeUpStore } from '../../ports/cloud-control';
import type { DeadLetter } from '../../ports/task-queue';
import type { CloudLog, LogLabels } from './log';
import { InlineWakeUps, StoredWakeUps } from '../core/wake-ups';
import { loneDispatch, withLoneHint, type LoneEventStore, type LoneTaskQueue } from './lone-events';
import type { EffectDeps } from '../core/effects';
import { publishOutbox as publishEntries } from '../core/publish';
import { executorPass, type ExecutorDeps } from '../core/pass';
import { decodeInboxWrite, DocumentChange } from './firestore-event';

export interface ExecutorHandlerDeps {
  exec: ExecutorDeps & { store: ExecutorDeps['store'] & LoneEventStore };
  /** The worker topics: a pass's lone dispatch goes out with its hint. */
  queue: LoneTaskQueue;
  effects: EffectDeps;
  lease: ExecutionLease;
  wakeUpStore: WakeUpStore;
  log: CloudLog;
  leaseMs: number;
  inlineWakeUpMs: number;
  collectionPrefix: string;
  /** A unique name for this invocation, recorded in the lease. */
  holder(): string;
  /** Effects published at once per pass; the Pub/Sub client batches concurrent publishes. */
  publishConcurrency?: number;
  /** Publishes an event the executor cannot read to its dead-letter topic (group `executor`). */
  deadLetter(letter: DeadLetter): Promise<void>;
}

export const ExecutorStatus = {
  /** The event carried nothing new (the executor's own update of a consumed event, a deletion). */
  ignored: 'ignored',
  invalid: 'invalid',
  /** This invocation held the lease and folded what was pending. */
  drained: 'drained',
  /** Another invocation holds the lease; it folds this event too. */
  busy: 'busy',
  failed: 'failed',
} as const;
export type ExecutorStatus = (typeof ExecutorStatus)[keyof typeof ExecutorStatus];

export interface ExecutorOutcome {
  status: ExecutorStatus;
  executionId?: string;
  passes?: number;
  conflicts?: number;
  wakeUpsFired?: number;
}

/** Codes that mean "try again later": thrown so that the event is delivered again. */
const RETRY: ReadonlySet<string> = new Set([ErrorCode.INFRA_RETRYABLE, ErrorCode.CONFLICT]);

const labelsOf = (e: Pick<Execution, 'id' | 'namespace' | 'flowId'>): LogLabels => ({ executionId: e.id, namespace: e.namespace, flowId: e.flowId });

/** One trigger of the executor function. */
export async function handleExecutorEvent(deps: ExecutorHandlerDeps, event: unknown): Promise<ExecutorOutcome> {
  let write;
  try {
    write = decodeInboxWrite(event, deps.collectionPrefix);
  } catch (err) {
    const id = (event as { id?: unknown } | null)?.id;
    const eventId = typeof id === 'string' ? id : undefined;
    deps.log.error('executor: event refused and dead-lettered', err, {}, { eventId });
    // If dead-lettering fails this throws, and Eventarc delivers the event again: nothing is dropped silently.
    await deps.deadLetter({
      group: 'executor', reason: toErrorData(err).message, data: rawEventText(event), ...(eventId ? { attributes: { eventId } } : {}),
    });
    return { status: ExecutorStatus.invalid };
  }
  if (write.change !== DocumentChange.created || write.consumed) return { status: ExecutorStatus.ignored, executionId: write.executionId };
  // The event's own document was just created unconsumed: under the lease, no need to look for it first.
  return drainExecution(deps, write.executionId, write.alone && write.key !== undefined ? { alone: write.key } : { pending: true });
}

/** The refused event as text for its dead letter: JSON, with bytes as base64 (Buffer's own JSON form is unreadable). */
function rawEventText(event: unknown): string {
  try {
    return JSON.stringify(event, (_k, v: unknown) => {
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
        return Buffer.from((v as { data: number[] }).data).toString('base64');
      }
      return v;
    }) ?? String(event);
  } catch {
    return String(event);
  }
}

/**
 * Folds an execution's pending events under its lease (the executor, and the scheduler's sweep). With
 * `alone` (the key of an event appended lone: lone-events.ts), that event is folded by itself first, without
 * the lease; if that transaction keeps conflicting, the lease protocol takes over.
 */
export async function drainExecution(
  deps: ExecutorHandlerDeps, executionId: string, opts: { alone?: string; pending?: boolean } = {},
): Promise<ExecutorOutcome> {
  const inline = new InlineWakeUps(deps.inlineWakeUpMs);
  const effects: EffectDeps = {
    ...deps.effects,
    wakeUps: new StoredWakeUps({ store: deps.exec.store, wakeUpStore: deps.wakeUpStore, clock: deps.exec.clock, ids: deps.exec.ids }, inline),
  };
  const onePass = async (keys?: readonly string[]): Promise<boolean> => {
    const store = deps.exec.store;
    const pass = await executorPass(deps.exec, executionId, keys ? (id, fold, now) => store.transactNamed(id, keys, fold, now) : undefined);
    if (!pass) return false;
    if (pass.execution.state.current !== pass.before.state.current) {
      deps.log.info(`execution ${executionId} ${pass.before.state.current} -> ${pass.execution.state.current}`, labelsOf(pass.execution),
        { state: pass.execution.state.current });
    }
    if (pass.outbox.length === 0) return true;
    const lone = loneDispatch(pass.execution, pass.outbox.map((e) => e.effect));
    await publishOutbox(deps, { ...effects, queue: withLoneHint(deps.queue, lone) }, pass.outbox, labelsOf(pass.execution));
    return true;
  };
  let report: DrainReport;
  try {
    report = opts.alone !== undefined
      ? await foldAlone(opts.alone, onePass, () => drain(deps, executionId, () => onePass()))
      : await drain(deps, executionId, () => onePass(), opts.pending === true);
  } catch (err) {
    const code = toErrorData(err).code;
    if (RETRY.has(code)) {
      deps.log.warn(`executor: execution ${executionId} will be folded again (${code})`, { executionId }, { code });
      throw err;
    }
    deps.log.error(`executor: execution ${executionId} could not be folded`, err, { executionId });
    return { status: ExecutorStatus.failed, executionId };
  } finally {
    await inline.settle((err) => deps.log.error('executor: a wake-up could not be fired; the scheduler will', err, { executionId }));
  }
  // Busy: events waited, but another invocation held the lease (it folds them). Drained: this one folded, or nothing waited.
  const status = report.sawPending && !report.leased && !report.alone ? ExecutorStatus.busy : ExecutorStatus.drained;
  return { status, executionId, passes: report.passes, conflicts: report.conflicts };
}

interface DrainReport {
  passes: number;
  conflicts: number;
  leased: boolean;
  sawPending: boolean;
  /** The event was folded by itself, without the lease. */
  alone?: boolean;
}

/** One transaction on the named event; CONFLICT (another writer kept winning) falls back to the lease protocol. */
async function foldAlone(key: string, pass: (keys: readonly string[]) => Promise<boolean>, underLease: () => Promise<DrainReport>): Promise<DrainReport> {
  try {
    const folded = await pass([key]);
    return { passes: folded ? 1 : 0, conflicts: 0, leased: false, sawPending: folded, alone: true };
  } catch (err) {
    if (toErrorData(err).code !== ErrorCode.CONFLICT) throw err;
    const report = await underLease();
    return { ...report, conflicts: report.conflicts + 1 };
  }
}

/**
 * The lease protocol, shaped for Firestore round trips:
 * look for pending events before taking the lease (unless the caller knows one is: the event that woke
 * it), fold one pass per holding, and look again after releasing, so an event appended while the lease
 * was held is never stranded: its own trigger found the lease taken and returned.
 */
async function drain(deps: ExecutorHandlerDeps, executionId: string, pass: () => Promise<boolean>, knownPending = false): Promise<DrainReport> {
  const report: DrainReport = { passes: 0, conflicts: 0, leased: false, sawPending: false };
  const clock = deps.exec.clock;
  for (let round = 0; round < MAX_PASSES; round++) {
    // The emulator's queries scan every document of the collection group: skip the one that cannot fail.
    if (!(round === 0 && knownPending) && !(await deps.exec.store.hasPending(executionId))) return report;
    report.sawPending = true;
    const lease = await deps.lease.acquire(executionId, deps.holder(), clock.now(), deps.leaseMs);
    if (!lease) return report;
    report.leased = true;
    try {
      if (await pass()) report.passes++;
    } catch (err) {
      if (toErrorData(err).code !== ErrorCode.CONFLICT || report.conflicts >= MAX_PASSES) throw err;
      report.conflicts++;
    } finally {
      await deps.lease.release(lease);
    }
  }
  return report;
}

/** Passes one invocation runs before leaving the rest to the next trigger or the scheduler's sweep. */
const MAX_PASSES = 1000;

/** Carries out a pass's committed effects (core/publish.ts), logging what stays in the outbox. */
export function publishOutbox(
  deps: Pick<ExecutorHandlerDeps, 'log' | 'publishConcurrency'>, effects: EffectDeps, entries: readonly OutboxEntry[], labels: LogLabels,
): Promise<OutboxEntry[]> {
  return publishEntries({
    publishConcurrency: deps.publishConcurrency,
    failed: (entry, error) => {
      if (entry) deps.log.error(`executor: effect ${entry.effect.type} of execution ${entry.executionId} was not carried out; it stays in the outbox`, error, labels, { outboxId: entry.id });
      else deps.log.error('executor: published effects could not be acknowledged', error, labels);
    },
  }, effects, entries);
}
