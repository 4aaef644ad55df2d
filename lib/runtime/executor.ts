// One executor pass over one execution: fold every pending event through the engine's step inside
// a version-guarded transaction. The local runtime and the cloud executor both call this.
import { step, type StepInput } from '../engine';
import type { Effect } from '../model/effects';
import type { Execution } from '../model/execution';
import type { Flow } from '../model/flow';
import type { TaskCatalog } from '../model/catalog';
import { AloftError, ErrorCode } from '../model/errors';
import type { Clock, Ids, OutboxEntry, StateStore } from '../ports';
import type { FlowCache } from './flow-cache';

export interface ExecutorDeps {
  store: StateStore;
  flows: FlowCache;
  catalog: TaskCatalog;
  clock: Clock;
  ids: Ids;
  context?: StepInput['context'];
}

export interface PassResult {
  before: Execution;
  execution: Execution;
  outbox: OutboxEntry[];
}

/** Folds the pending events of one execution. Null when there was nothing to do. */
export async function executorPass(deps: ExecutorDeps, executionId: string): Promise<PassResult | null> {
  const header = await deps.store.get(executionId);
  if (!header) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
  const flow = await deps.flows.get(header.namespace, header.flowId, header.flowRevision);
  const now = deps.clock.now();
  let before: Execution = header;
  const committed = await deps.store.transact(executionId, (execution, pending) => {
    if (pending.length === 0) return null;
    before = execution;
    return foldEvents(deps, flow, execution, pending.map((p) => p.event), now);
  }, now);
  return committed ? { before, execution: committed.execution, outbox: committed.outbox } : null;
}

export function foldEvents(
  deps: Pick<ExecutorDeps, 'catalog' | 'ids' | 'context'>,
  flow: Flow,
  execution: Execution,
  events: readonly StepInput['event'][],
  now: Date,
): { execution: Execution; effects: Effect[] } {
  let current = execution;
  const effects: Effect[] = [];
  for (const event of events) {
    const out = step({ execution: current, flow, event, now, ids: deps.ids, catalog: deps.catalog, context: deps.context });
    current = out.execution;
    for (const e of out.effects) effects.push(e);
  }
  return { execution: current, effects };
}
