// ForEachItem's `{id}_items` (Kestra's ForEachItemExecutable): one subflow execution per batch file
// that `{id}_split` made, with `taskrun.items` (the batch's URI) and `taskrun.iteration` in its
// inputs. Its outputs count the children by state, as Kestra's `iterations`, with `numberOfBatches`.
// With wait it ends once every child ended (transmitFailed: in the worst of their states), without
// once every child exists. Children get ids `{base}-{i}` from one id per round, so events of an
// earlier round (before a restart) are told apart, and kills need no list of ids. At most WINDOW
// children are being created at once: one step never emits a start per batch of a large file.
import { z } from 'zod';
import type { TaskTypeInfo } from '../../model/catalog';
import { EffectType, type EffectOf } from '../../model/effects';
import { ErrorCode } from '../../model/errors';
import type { EventOf } from '../../model/events';
import type { TaskRun } from '../../model/execution';
import type { Task } from '../../model/flow';
import { ForEachItemPart, SplitOutputs, batchUri, forEachItemIdOf, forEachItemPartId, subflowOutputsFolder, subflowOutputsUri } from '../../model/for-each-item';
import { State, isTerminal } from '../../model/states';
import { failAndNotify } from '../dispatch';
import type { Draft } from '../draft';
import { propertyError, renderProperty, renderText, type RenderSite } from '../render';
import { cleanError, internalOf, runState, withInternal, type ErrorData } from '../state-ops';
import type { FlowableBehaviour } from './behaviour';
import { conclude, startRunning } from './list-behaviour';
import { renderScheduleDate, stringMap, withAttempt } from './subflow';

/** Children being created (started, not yet heard of) at most at once. */
export const WINDOW = 100;

const ROUND = 'forEachItem';

/** What a round keeps between events (in the run's `internal`): small whatever the number of batches. */
interface Round {
  /** Children are `{base}-{i}`. */
  base: string;
  total: number;
  namespace: string;
  flowId: string;
  split: SplitOutputs;
  /** Batches whose StartSubflow was emitted: 0..next-1. */
  next: number;
  /** Emitted and not yet heard of (SubflowStarted or SubflowEnded): at most WINDOW. */
  pending: number[];
  ended: number;
  /** The first failed child's reason. */
  failure?: ErrorData;
  /** When the children start (ISO), rendered once. */
  scheduleDate?: string;
}

export const forEachItemBatchesInfo: TaskTypeInfo = {
  type: ForEachItemPart.items.type,
  aliases: [],
  kind: 'flowable',
  internal: true,
  properties: z.object({}).passthrough(),
};

const waits = (task: Task): boolean => task.wait !== false;
const transmits = (task: Task): boolean => task.transmitFailed !== false;

const roundOf = (run: TaskRun): Round | undefined => internalOf<Round>(run, ROUND);

/** The batch index of one of this round's children, or undefined for any other execution. */
function indexOf(round: Round, childExecutionId: string | undefined): number | undefined {
  if (!childExecutionId?.startsWith(`${round.base}-`)) return undefined;
  const suffix = childExecutionId.slice(round.base.length + 1);
  const i = Number(suffix);
  return String(i) === suffix && i < round.next ? i : undefined;
}

const childId = (round: Round, i: number): string => `${round.base}-${i}`;

function iterationsOf(run: TaskRun): Record<string, number> {
  return { ...((run.outputs?.iterations as Record<string, number> | undefined) ?? {}) };
}

const bump = (counts: Record<string, number>, state: string, by: number): void => {
  counts[state] = (counts[state] ?? 0) + by;
};

function start(d: Draft, run: TaskRun, task: Task): void {
  const running = startRunning(d, run);
  d.update(running);
  const site = d.renderSite(running);
  const splitRun = d.children(run.parentTaskRunId).find((r) => r.taskId === forEachItemPartId(forEachItemIdOf(task.id, 'items'), 'split'));
  const split = SplitOutputs.safeParse(splitRun?.outputs);
  if (!split.success) {
    return failAndNotify(d, running, { code: ErrorCode.INTERNAL, message: 'the split task left no batches to run', flow: d.fx.key, task: task.id });
  }
  // No batch, no subflow: SUCCESS without outputs, as Kestra.
  if (split.data.batches === 0) return conclude(d, withAttempt(running, State.SUCCESS, d.now), State.SUCCESS);
  const namespace = renderText(site, 'namespace', String(task.namespace ?? ''));
  if (!namespace.ok) return failAndNotify(d, running, namespace.error);
  const flowId = renderText(site, 'flowId', String(task.flowId ?? ''));
  if (!flowId.ok) return failAndNotify(d, running, flowId.error);
  const scheduleDate = renderScheduleDate(site, task);
  if (!scheduleDate.ok) return failAndNotify(d, running, scheduleDate.error);
  const total = split.data.batches;
  const round: Round = {
    base: d.ids.next(), total, namespace: namespace.value, flowId: flowId.value, split: split.data, next: 0, pending: [], ended: 0,
    ...(scheduleDate.value ? { scheduleDate: scheduleDate.value } : {}),
  };
  // Kestra's counters: with wait, every batch is CREATED until its child runs; without, a created child is a SUCCESS.
  const iterations = waits(task) ? { CREATED: total, RUNNING: 0 } : { RUNNING: 0, SUCCESS: 0 };
  const next = withInternal({ ...running, outputs: { numberOfBatches: total, iterations } }, { [ROUND]: round });
  d.update(next);
  fill(d, next, task, round, site);
}

/** Emits the starts of the next batches, up to WINDOW being created at once. */
function fill(d: Draft, run: TaskRun, task: Task, round: Round, site: RenderSite = d.renderSite(run)): void {
  if (round.next >= round.total || round.pending.length >= WINDOW) return;
  const next: Round = { ...round, pending: [...round.pending] };
  const wait = waits(task);
  const chain = [...(d.execution.parent?.chain ?? []), d.fx.key];
  const inherited = task.inheritLabels ? d.execution.labels ?? {} : {};
  const outputsFolder = wait ? subflowOutputsFolder(ownerOf(d, run)) : undefined;
  const taskrun = site.vars.taskrun as Record<string, unknown>;
  // Rendered first, emitted after: a batch that does not render leaves none of this lot half made.
  const starts: EffectOf<'StartSubflow'>[] = [];
  for (; next.next < round.total && next.pending.length < WINDOW; next.next++) {
    const i = next.next;
    const vars = { ...site.vars, taskrun: { ...taskrun, items: batchUri(round.split, i), iteration: i } };
    const batchSite = { ...site, vars };
    const inputs = renderProperty(batchSite, 'inputs', task.inputs ?? {});
    if (!inputs.ok) return abandon(d, run, round, inputs.error);
    if (!inputs.value || typeof inputs.value !== 'object' || Array.isArray(inputs.value)) {
      return abandon(d, run, round, propertyError(site, 'inputs', 'inputs must render to a map'));
    }
    const labels = renderProperty(batchSite, 'labels', labelMap(task.labels));
    if (!labels.ok) return abandon(d, run, round, labels.error);
    const allLabels = { ...inherited, ...stringMap(labels.value) };
    starts.push({
      type: EffectType.StartSubflow,
      parentExecutionId: run.executionId,
      parentTaskRunId: run.id,
      namespace: round.namespace,
      flowId: round.flowId,
      ...(typeof task.revision === 'number' ? { revision: task.revision } : {}),
      inputs: inputs.value as Record<string, unknown>,
      ...(Object.keys(allLabels).length ? { labels: allLabels } : {}),
      ...(round.scheduleDate ? { scheduleDate: round.scheduleDate } : {}),
      wait,
      childExecutionId: childId(round, i),
      chain,
      iteration: i,
      ...(outputsFolder ? { outputsUri: subflowOutputsUri(outputsFolder, i) } : {}),
    });
    next.pending.push(i);
  }
  for (const effect of starts) d.emit(effect);
  d.update(withInternal(run, { [ROUND]: next }));
}

/** Kestra writes labels as a map or a list of {key, value}. */
function labelMap(labels: unknown): Record<string, unknown> {
  if (!Array.isArray(labels)) return (labels as Record<string, unknown> | undefined) ?? {};
  return Object.fromEntries(labels.map((l: { key: string; value: unknown }) => [l.key, l.value]));
}

function ownerOf(d: Draft, run: TaskRun) {
  const parent = run.parentTaskRunId ? d.run(run.parentTaskRunId) : undefined;
  const e = d.execution;
  return { namespace: e.namespace, flowId: e.flowId, executionId: e.id, taskId: parent?.taskId ?? run.taskId, taskRunId: parent?.id ?? run.id };
}

/**
 * A batch's subflow could not be made (bad inputs, unknown flow): the run fails at once, as Kestra's
 * fails when it cannot create the executions; children already made are killed when it waits for them.
 */
function abandon(d: Draft, run: TaskRun, round: Round, error: ErrorData, except?: number): void {
  const current = d.run(run.id) ?? run;
  const task = d.task(run.taskId);
  if (task && waits(task)) killChildren(d, round, except);
  failAndNotify(d, withAttempt(withInternal(current, { [ROUND]: { ...round, pending: [] } }), State.FAILED, d.now), error);
}

/** Kills every child made so far but those not heard of yet (their start may still fail); ended ones ignore it. */
function killChildren(d: Draft, round: Round, except?: number): void {
  const pending = new Set(round.pending);
  for (let i = 0; i < round.next; i++) {
    if (i !== except && !pending.has(i)) d.emit({ type: EffectType.KillSubflow, childExecutionId: childId(round, i) });
  }
}

function started(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowStarted'>): void {
  const round = roundOf(run);
  if (isTerminal(run.state.current) || !round) return;
  const i = indexOf(round, event.childExecutionId);
  // Heard of already (it ended first), or another round's child.
  if (i === undefined || !round.pending.includes(i)) return;
  const next: Round = { ...round, pending: round.pending.filter((p) => p !== i) };
  const iterations = iterationsOf(run);
  if (waits(task)) {
    bump(iterations, State.CREATED, -1);
    bump(iterations, State.RUNNING, 1);
  } else bump(iterations, State.SUCCESS, 1);
  let updated = withInternal({ ...run, outputs: { ...run.outputs, iterations } }, { [ROUND]: next });
  if (run.state.current === State.KILLING) {
    // Started while being killed: killed in turn.
    d.update(updated);
    d.emit({ type: EffectType.KillSubflow, childExecutionId: event.childExecutionId });
    return;
  }
  if (!waits(task)) {
    next.ended++;
    if (next.ended === next.total) {
      updated = { ...updated, outputs: { numberOfBatches: next.total, iterations: { ...iterations, RUNNING: 0 } } };
      return conclude(d, withAttempt(updated, State.SUCCESS, d.now), State.SUCCESS);
    }
  }
  d.update(updated);
  fill(d, updated, task, next);
}

function ended(d: Draft, run: TaskRun, task: Task, event: EventOf<'SubflowEnded'>): void {
  const round = roundOf(run);
  if (isTerminal(run.state.current) || !round) return;
  const i = indexOf(round, event.childExecutionId);
  if (i === undefined) return;
  const error = event.error ?? undefined;
  const killing = run.state.current === State.KILLING;
  if (error && killing) {
    // Its start failed while being killed: nothing to wait for.
    const rest: Round = { ...round, pending: round.pending.filter((p) => p !== i), ended: round.ended + 1 };
    const counted = withInternal(run, { [ROUND]: rest });
    if (rest.ended === rest.next && rest.pending.length === 0) return finish(d, counted, task, rest, iterationsOf(run));
    return d.update(counted);
  }
  if (error) {
    // The child could not be made: no child, so nothing to count.
    return abandon(d, run, round, cleanError({ ...error, flow: error.flow ?? d.fx.key, task: error.task ?? run.taskId }), i);
  }
  if (!waits(task)) return; // Counted once it existed.
  const wasPending = round.pending.includes(i);
  const next: Round = { ...round, pending: wasPending ? round.pending.filter((p) => p !== i) : round.pending, ended: round.ended + 1 };
  // Named by batch: the child's id means nothing to a reader (and differs between runtimes).
  if (event.state === State.FAILED && !next.failure && event.failure) {
    next.failure = cleanError({ ...event.failure, message: `(batch ${i}) ${event.failure.message.replace(` (execution ${event.childExecutionId})`, '')}` });
  }
  const iterations = iterationsOf(run);
  bump(iterations, wasPending ? State.CREATED : State.RUNNING, -1);
  bump(iterations, event.state, 1);
  const updated = withInternal({ ...run, outputs: { ...run.outputs, iterations } }, { [ROUND]: next });
  if (next.ended === next.total || (killing && next.ended === next.next && next.pending.length === 0)) return finish(d, updated, task, next, iterations);
  d.update(updated);
  if (!killing) fill(d, updated, task, next);
}

/** Every child ended (or, while killing, every child made): the run ends, as Kestra's manageIterations ends it. */
function finish(d: Draft, run: TaskRun, task: Task, round: Round, iterations: Record<string, number>): void {
  const killing = run.state.current === State.KILLING;
  const state = killing ? State.KILLED : transmits(task) ? worstOf(iterations) : State.SUCCESS;
  const outputs = {
    numberOfBatches: round.total,
    // Events may come in any order: once all ended, none is waiting or running.
    iterations: { ...iterations, CREATED: 0, RUNNING: 0 },
    subflowOutputsBaseUri: subflowOutputsFolder(ownerOf(d, run)),
  };
  const failed = iterations[State.FAILED] ?? 0;
  const error = state === State.FAILED
    ? {
      error: {
        code: ErrorCode.TASK_FAILED,
        message: `${failed} of ${round.total} subflow executions failed${round.failure ? `; the first ${round.failure.message}` : ''}`,
        flow: d.fx.key, task: forEachItemIdOf(task.id, 'items'),
      },
    }
    : {};
  conclude(d, withAttempt({ ...run, outputs, ...error }, state, d.now), state);
}

/** Kestra's findTerminalState: any FAILED, then any KILLED, then any WARNING, else SUCCESS. */
function worstOf(iterations: Record<string, number>): State {
  for (const s of [State.FAILED, State.KILLED, State.WARNING]) if ((iterations[s] ?? 0) > 0) return s;
  return State.SUCCESS;
}

export const forEachItemBatches: FlowableBehaviour = {
  info: forEachItemBatchesInfo,
  start,
  evaluate() {
    // No children: only subflow events move it.
  },
  kill(d, run, task) {
    if (isTerminal(run.state.current)) return;
    const round = roundOf(run);
    if (!round || !waits(task) || round.next === round.ended) return conclude(d, withAttempt(run, State.KILLED, d.now), State.KILLED);
    killChildren(d, round);
    d.update(runState(run, State.KILLING, d.now));
  },
  subflowStarted: started,
  subflowEnded: ended,
};
