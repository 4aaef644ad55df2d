// One executor pass over one execution: fold every pending event through the engine's step inside
// a version-guarded transaction. The embedded runtime and the cloud executor both call this.
import { stepAll, type StepInput } from '../../engine';
import type { Effect } from '../../model/effects';
import type { Execution } from '../../model/execution';
import type { Flow } from '../../model/flow';
import type { TaskCatalog } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Clock, Ids, OutboxEntry, PendingEvent, StateStore, TransactOutcome } from '../../ports';
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

type Fold = (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null;
type Committed = { execution: Execution; outbox: OutboxEntry[] } | null;

/** The store's transaction, or a transport's narrower one (the cloud folds a lone event by name). */
export type Transact = (executionId: string, fold: Fold, now: Date) => Promise<Committed>;

/**
 * Folds the pending events of one execution: the one executor pass of both runtimes. Null when there
 * was nothing to do. The execution's flow revision never changes, so it is remembered per execution and
 * a pass is then the store's transaction alone.
 */
export async function executorPass(deps: ExecutorDeps, executionId: string, transact?: Transact): Promise<PassResult | null> {
  const refs = flowRefsOf(deps);
  let ref = refs.get(executionId);
  if (!ref) {
    const header = await deps.store.getHeader(executionId);
    if (!header) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    ref = { namespace: header.namespace, flowId: header.flowId, flowRevision: header.flowRevision };
    refs.set(executionId, ref);
  }
  const flow = await deps.flows.get(ref.namespace, ref.flowId, ref.flowRevision);
  const pass = new Pass(deps, flow, ref, deps.clock.now(), () => refs.delete(executionId));
  const run = transact ?? ((id, fold, now) => deps.store.transact(id, fold, now));
  return pass.result(await run(executionId, pass.fold, pass.now));
}

interface FlowRef {
  namespace: string;
  flowId: string;
  flowRevision: number;
}

/** Each execution's flow revision, per executor: bounded, oldest forgotten first. */
class FlowRefs {
  private readonly refs = new Map<string, FlowRef>();
  constructor(private readonly max = 5000) {}
  get(id: string): FlowRef | undefined { return this.refs.get(id); }
  delete(id: string): void { this.refs.delete(id); }
  set(id: string, ref: FlowRef): void {
    if (this.refs.size >= this.max) this.refs.delete(this.refs.keys().next().value as string);
    this.refs.set(id, ref);
  }
}

const flowRefs = new WeakMap<object, FlowRefs>();
function flowRefsOf(deps: ExecutorDeps): FlowRefs {
  let refs = flowRefs.get(deps.store);
  if (!refs) flowRefs.set(deps.store, (refs = new FlowRefs()));
  return refs;
}

/** The in-memory store's synchronous operations (MemoryStateStore): the embedded runtime's hot path. */
export interface SyncStateStore {
  getNow(executionId: string): Execution | null;
  appendNow(executionId: string, pending: PendingEvent): boolean;
  hasPendingNow(executionId: string): boolean;
  transactNow(executionId: string, fold: Fold, now: Date): Committed;
  ackOutboxNow(entries: readonly OutboxEntry[]): void;
}

/**
 * `executorPass` without a promise, on a synchronous store and with the flow at hand. Undefined when
 * it cannot run now (the execution or its flow revision is not at hand): the caller then takes the
 * asynchronous pass, which also reports what is missing.
 */
export function executorPassNow(
  deps: Omit<ExecutorDeps, 'store' | 'flows'> & { store: SyncStateStore; flows: RevisionCache },
  executionId: string,
): PassResult | null | undefined {
  const header = deps.store.getNow(executionId);
  const flow = header && deps.flows.get(header.namespace, header.flowId, header.flowRevision);
  if (!header || !flow) return undefined;
  const pass = new Pass(deps, flow, header, deps.clock.now(), () => undefined);
  return pass.result(deps.store.transactNow(executionId, pass.fold, pass.now));
}

/** One pass's fold, and what it saw before folding. */
class Pass {
  before: Execution | undefined;
  readonly fold: Fold;

  constructor(deps: Pick<ExecutorDeps, 'catalog' | 'ids' | 'context'>, flow: Flow, ref: FlowRef, readonly now: Date, forget: () => void) {
    this.fold = (execution, pending) => {
      if (pending.length === 0) return null;
      if (execution.flowRevision !== ref.flowRevision || execution.flowId !== ref.flowId || execution.namespace !== ref.namespace) {
        forget();
        throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} runs another flow revision than remembered`);
      }
      this.before = execution;
      const events = new Array<StepInput['event']>(pending.length);
      for (let i = 0; i < pending.length; i++) events[i] = pending[i].event;
      return foldEvents(deps, flow, execution, events, now);
    };
  }

  result(committed: Committed): PassResult | null {
    return committed && this.before ? { before: this.before, execution: committed.execution, outbox: committed.outbox } : null;
  }
}

export function foldEvents(
  deps: Pick<ExecutorDeps, 'catalog' | 'ids' | 'context'>,
  flow: Flow,
  execution: Execution,
  events: readonly StepInput['event'][],
  now: Date,
): { execution: Execution; effects: Effect[] } {
  return stepAll({ execution, flow, events, now, ids: deps.ids, catalog: deps.catalog, context: deps.context });
}

/**
 * Flow revisions already loaded, by namespace, id and revision: revisions never change, and nested
 * maps over strings the caller already holds need no key to be built per lookup. Bounded.
 */
export class RevisionCache {
  private readonly byNamespace = new Map<string, Map<string, Map<number, Flow>>>();
  private size = 0;

  constructor(private readonly maxEntries = 2000) {}

  get(namespace: string, flowId: string, revision: number): Flow | undefined {
    return this.byNamespace.get(namespace)?.get(flowId)?.get(revision);
  }

  set(namespace: string, flowId: string, revision: number, flow: Flow): void {
    if (this.size >= this.maxEntries) {
      this.byNamespace.clear();
      this.size = 0;
    }
    let ids = this.byNamespace.get(namespace);
    if (!ids) this.byNamespace.set(namespace, (ids = new Map()));
    let revisions = ids.get(flowId);
    if (!revisions) ids.set(flowId, (revisions = new Map()));
    if (!revisions.has(revision)) this.size++;
    revisions.set(revision, flow);
  }
}
