// The working copy of an execution during one step. It copies the task run list once, on the first
// change, keeps the run index in step with it, and collects effects. Containers (flowable runs, or
// the flow itself) whose children changed are queued and evaluated until nothing moves.
import type { Effect } from '../model/effects';
import type { Execution, TaskRun } from '../model/execution';
import type { TaskCatalog } from '../model/catalog';
import type { Flow, Task } from '../model/flow';
import { State, isTerminal, type StateRecord } from '../model/states';
import type { Ids } from '../ports/system';
import { flowIndex, type FlowIndex, type TaskNode } from './flow-index';
import { INDEXED_FROM, ROOT, buildRunIndex, childrenIn, cloneRunIndex, indexRun, positionIn, rememberRunIndex, runIn, runIndexOf, type RunIndex } from './run-index';
import type { RenderSite } from './render';
import { recordState } from './state-ops';
import { outputsOf, variablesFrom, type VariablesContext } from './variables';

export interface DraftInput {
  execution: Execution;
  flow: Flow;
  now: Date;
  ids: Ids;
  catalog: TaskCatalog;
  context?: VariablesContext;
}

export class Draft {
  readonly flow: Flow;
  readonly fx: FlowIndex;
  readonly now: Date;
  readonly ids: Ids;
  readonly catalog: TaskCatalog;
  readonly context?: VariablesContext;
  readonly effects: Effect[] = [];
  /** Set when a Pause changed, so the execution's PAUSED/RUNNING state is recomputed at the end. */
  pauseTouched = false;

  private readonly base: Execution;
  /** The execution's fields; its taskRunList is stale once the list changed (build() puts the list back). */
  private header: Execution;
  private list: TaskRun[];
  private listOwned = false;
  /** Undefined while the list is short (see INDEXED_FROM). */
  private index: RunIndex | undefined;
  private indexOwned = false;
  private changed = false;
  private outputsCache: Record<string, unknown> | undefined;
  /** Containers to evaluate, each once. Usually a handful: a Set only joins once there are many. */
  private readonly queue: string[] = [];
  private queued: Set<string> | undefined;

  constructor(input: DraftInput) {
    this.base = input.execution;
    this.header = input.execution;
    this.list = input.execution.taskRunList;
    this.index = runIndexOf(this.list);
    this.flow = input.flow;
    this.fx = flowIndex(input.flow);
    this.now = input.now;
    this.ids = input.ids;
    this.catalog = input.catalog;
    this.context = input.context;
  }

  // ---- execution header ----

  /** The execution's header fields (read taskRunList through `runs`). */
  get execution(): Omit<Execution, 'taskRunList'> {
    return this.header;
  }

  get state(): State {
    return this.header.state.current;
  }

  get killing(): boolean {
    return this.header.state.current === State.KILLING;
  }

  setState(state: State): void {
    if (this.header.state.current === state) return;
    this.patch({ state: recordState(this.header.state, state, this.now, this.header) });
  }

  /** Sets header fields; an undefined value removes the field. */
  patch(fields: Partial<Omit<Execution, 'taskRunList' | 'id'>>): void {
    const next: Record<string, unknown> = { ...this.header };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    this.header = next as Execution;
    this.changed = true;
  }

  stateRecord(): StateRecord {
    return this.header.state;
  }

  // ---- task runs ----

  get runs(): readonly TaskRun[] {
    return this.list;
  }

  run(id: string): TaskRun | undefined {
    return runIn(this.list, this.index, id);
  }

  /** Children of a run (or of the flow, for ROOT/undefined), in creation order. */
  children(parentId: string | undefined): TaskRun[] {
    return childrenIn(this.list, this.index, parentId);
  }

  node(taskId: string): TaskNode | undefined {
    return this.fx.nodes.get(taskId);
  }

  task(taskId: string): Task | undefined {
    return this.fx.nodes.get(taskId)?.task;
  }

  update(run: TaskRun): void {
    const p = positionIn(this.list, this.index, run.id);
    if (p < 0) throw new Error(`engine invariant: task run ${run.id} is not in execution ${this.header.id}`);
    const before = this.list[p];
    if (before === run) return;
    this.ownList();
    this.list[p] = run;
    if (before.outputs !== run.outputs || before.value !== run.value) this.outputsCache = undefined;
    this.changed = true;
  }

  add(run: TaskRun): void {
    this.ownList();
    if (this.index) {
      this.ownIndex(this.index);
      indexRun(this.index, run, this.list.length);
      this.list.push(run);
    } else {
      this.list.push(run);
      if (this.list.length >= INDEXED_FROM) {
        this.index = buildRunIndex(this.list);
        this.indexOwned = true;
      }
    }
    if (run.outputs) this.outputsCache = undefined;
    this.changed = true;
  }

  /** Replaces the whole list (restart, replay). */
  replaceAll(list: TaskRun[]): void {
    this.list = list;
    this.listOwned = true;
    this.index = list.length >= INDEXED_FROM ? buildRunIndex(list) : undefined;
    this.indexOwned = true;
    this.outputsCache = undefined;
    this.changed = true;
  }

  private ownList(): void {
    if (!this.listOwned) {
      this.list = this.list.slice();
      this.listOwned = true;
    }
  }

  /** Extends the shared index in place when the step's input list is its newest one, else works on a copy. */
  private ownIndex(index: RunIndex): void {
    if (this.indexOwned) return;
    const base = this.base.taskRunList;
    this.index = index.tip !== base || index.pos.size !== base.length ? cloneRunIndex(index, base) : index;
    this.index.tip = this.list;
    this.indexOwned = true;
  }

  // ---- containers to evaluate ----

  /** Queues the container of a changed run: its parent flowable run, or the flow (ROOT). */
  enqueue(parentRunId: string | undefined): void {
    const key = parentRunId ?? ROOT;
    if (this.queued ? this.queued.has(key) : this.queue.includes(key)) return;
    this.queue.push(key);
    if (this.queued) this.queued.add(key);
    else if (this.queue.length > 16) this.queued = new Set(this.queue);
  }

  /** Evaluates queued containers until none is left. */
  drain(evaluate: (containerId: string) => void): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      if (guard > 1_000_000) throw new Error('engine invariant: container evaluation does not settle');
      const key = this.queue.shift()!;
      this.queued?.delete(key);
      evaluate(key);
    }
  }

  // ---- variables ----

  outputs(): Record<string, unknown> {
    this.outputsCache ??= outputsOf(this.list, { get: (id) => this.run(id) });
    return this.outputsCache;
  }

  variables(run: TaskRun | undefined): Record<string, unknown> {
    return variablesFrom({
      execution: this.header, flow: this.flow, lookup: { get: (id) => this.run(id) }, outputs: () => this.outputs(), context: this.context,
    }, run);
  }

  renderSite(run: TaskRun): RenderSite {
    return { now: this.now, vars: this.variables(run), flow: this.fx.key, task: run.taskId };
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  // ---- result ----

  get hasChanged(): boolean {
    return this.changed;
  }

  isTerminal(): boolean {
    return isTerminal(this.header.state.current);
  }

  build(): Execution {
    if (!this.changed) return this.base;
    // Same positions, same ids: the new list may extend the index next time. An ended execution
    // keeps no index (it is rebuilt on demand): the store holds many ended executions.
    const index = this.index;
    if (index && this.list !== this.base.taskRunList && !isTerminal(this.header.state.current)) {
      if (!this.indexOwned && index.tip === this.base.taskRunList) index.tip = this.list;
      rememberRunIndex(this.list, index);
    }
    return { ...this.header, taskRunList: this.list };
  }
}
