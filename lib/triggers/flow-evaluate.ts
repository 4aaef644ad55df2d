// Flow triggers: when an execution ends, the index gives the triggers that may match; their
// MultipleCondition windows record this execution's results, their conditions are tested, and each
// trigger that holds starts its flow with inputs rendered from the ended execution.
import { buildVariables } from '../engine';
import { ErrorCode, toErrorData } from '../model/errors';
import type { Execution } from '../model/execution';
import { flowKey } from '../model/flow';
import type { TriggerStateStore } from '../ports/trigger-state';
import { testAll, testAllNow, testCondition, type ConditionContext, type EndedExecutionRef } from './conditions/evaluate';
import type { ConditionOf } from './conditions/types';
import type { FlowTriggerEntry } from './flow-index';
import { derivedId } from './ids';
import { recordResults } from './multiple';
import type { Renderer, Vars } from './render';
import type { Reporter } from './report';
import { startOnce, type StartFn } from './start';

export interface FlowTriggerDeps {
  index: { candidates(ended: EndedExecutionRef): FlowTriggerEntry[] };
  state: TriggerStateStore;
  renderer: Renderer;
  loadExecution(executionId: string): Promise<Execution | null>;
  start: StartFn;
  report: Reporter;
  /** `globals` and `envs` for rendering, as tasks see them. */
  context?: { globals?: Record<string, unknown>; envs?: Record<string, string> };
}

/** `trigger.*` of an execution started by a Flow trigger. */
export function flowTriggerVariables(ended: EndedExecutionRef): Record<string, unknown> {
  return { executionId: ended.id, namespace: ended.namespace, flowId: ended.flowId, flowRevision: ended.flowRevision, state: ended.state };
}

/**
 * Evaluates every Flow trigger that may match the ended execution; returns the executions it started.
 * A runtime that holds the ended execution passes it as `loaded`; otherwise it is read at most once,
 * and only when a trigger needs its variables or fires.
 */
export async function evaluateFlowTriggers(deps: FlowTriggerDeps, ended: EndedExecutionRef, now: Date, loaded?: Execution): Promise<Execution[]> {
  const candidates = deps.index.candidates(ended);
  if (candidates.length === 0) return [];
  let upstream: Promise<Execution | null> | undefined;
  const load = (): Promise<Execution | null> => (upstream ??= deps.loadExecution(ended.id));
  const known = loaded?.id === ended.id ? loaded : undefined;
  const started: Execution[] = [];
  for (const entry of candidates) {
    if (entry.flow.disabled) continue;
    try {
      const execution = await evaluateOne(deps, entry, ended, now, load, known);
      if (execution) started.push(execution);
    } catch (err) {
      deps.report({
        level: 'ERROR', flow: flowKey(entry.flow.namespace, entry.flow.id), trigger: entry.trigger.id, executionId: ended.id,
        message: `flow trigger ${entry.trigger.id} of ${flowKey(entry.flow.namespace, entry.flow.id)} could not start after execution ${ended.id}: ${toErrorData(err).message}`,
        error: toErrorData(err),
      });
    }
  }
  return started;
}

async function evaluateOne(
  deps: FlowTriggerDeps, entry: FlowTriggerEntry, ended: EndedExecutionRef, now: Date, load: () => Promise<Execution | null>, known?: Execution,
): Promise<Execution | null> {
  const { flow, trigger } = entry;
  // Under load every await waits behind the whole microtask queue, so the common path (conditions
  // that need no rendering, a synchronous renderer, the ended execution at hand) awaits nothing
  // before it starts the execution.
  let vars: Vars | undefined;
  const varsOf = (upstream: Execution | null): Vars => (vars ??= variablesFor(deps, entry, ended, upstream));
  const cx: ConditionContext = {
    flow: { namespace: flow.namespace, id: flow.id },
    execution: ended,
    renderer: deps.renderer,
    vars: async () => varsOf(known ?? await load()),
  };

  const completed = new Map<string, boolean>();
  for (const c of trigger.conditions) {
    if (c.kind === 'Multiple') completed.set(c.id, await recordMultiple(deps, entry, c, cx, now));
  }
  cx.multiple = (c) => completed.get(c.id) === true;
  const quick = testAllNow(trigger.conditions, cx);
  if (quick === false || (quick === undefined && !(await testAll(trigger.conditions, cx)))) return null;

  const upstream = known ?? await load();
  // A trigger never fires on an execution it started itself: that loop would never end.
  if (upstream?.trigger?.id === trigger.id && upstream.namespace === flow.namespace && upstream.flowId === flow.id) {
    deps.report({ level: 'WARN', flow: flowKey(flow.namespace, flow.id), trigger: trigger.id, executionId: ended.id, message: `flow trigger ${trigger.id} skipped: execution ${ended.id} was started by this same trigger` });
    return null;
  }
  let inputs: unknown = {};
  if (trigger.inputs) {
    const rendered = deps.renderer.renderValue(trigger.inputs, varsOf(upstream));
    inputs = rendered instanceof Promise ? await rendered : rendered;
  }
  // One id per (ended run of the upstream execution, trigger): a re-published ExecutionEnded starts nothing new,
  // a restarted upstream that ends again does.
  const run = String(upstream?.state.histories.length ?? 0);
  return startOnce(deps.start, {
    flow,
    id: derivedId('flow-trigger', ended.id, run, entry.key),
    inputs: (inputs ?? {}) as Record<string, unknown>,
    trigger: { id: trigger.id, type: trigger.type, variables: flowTriggerVariables(ended) },
  });
}

/** Tests each condition of the MultipleCondition on this execution and folds the true ones into its window. */
async function recordMultiple(deps: FlowTriggerDeps, entry: FlowTriggerEntry, c: ConditionOf<'Multiple'>, cx: ConditionContext, now: Date): Promise<boolean> {
  const results: Record<string, boolean> = {};
  let any = false;
  for (const [key, inner] of Object.entries(c.conditions)) {
    try {
      results[key] = await testCondition(inner, cx);
    } catch (err) {
      results[key] = false;
      deps.report({ level: 'WARN', flow: flowKey(entry.flow.namespace, entry.flow.id), trigger: entry.trigger.id, message: `condition ${key} of ${c.id} could not be tested: ${toErrorData(err).message}`, error: toErrorData(err) });
    }
    any ||= results[key];
  }
  // Nothing to add: the window cannot have become complete, so it is not even read.
  if (!any) return false;
  return deps.state.updateWindow(entry.key, c.id, recordResults(c, now, results));
}

function variablesFor(deps: FlowTriggerDeps, entry: FlowTriggerEntry, ended: EndedExecutionRef, upstream: Execution | null): Vars {
  if (!upstream) {
    throw Object.assign(new Error(`execution ${ended.id} is gone; its variables cannot be rendered`), { code: ErrorCode.NOT_FOUND });
  }
  // As in Kestra, templates see the ended execution (its inputs, outputs, labels) and the triggered flow.
  const vars = buildVariables(upstream, entry.flow, undefined, deps.context);
  return { ...vars, trigger: flowTriggerVariables(ended) };
}
