// The working copy of an execution during one step. It copies the task run list once, on the first
// change, keeps the run index in step with it, and collects effects. Containers (flowable runs, or
// the flow itself) whose children changed are queued and evaluated until nothing moves.
import type { Effect } from '../model/effects';
import type { Execution, TaskRun } from '../model/execution';
import type { TaskCatalog } from '../model/catalog';
import type { Flow, Task } from '../model/flow';
import { State, isTerminal, withState, type StateRecord } from '../model/states';
import type { Ids } from '../ports/system';
import { flowIndex, type FlowIndex, type TaskNode } from './flow-index';
import { ROOT, rememberRunIndex, runIndexOf, type RunIndex } from './run-index';
import type { RenderSite } from './render';
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
  private header: Omit<Execution, 'taskRunList'>;
  private list: TaskRun[];
  private listOwned = false;
  private index: RunIndex;
  private indexOwned = false;
  private changed = false;
  private outputsCache: Record<string, unknown> | undefined;
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();

  constructor(input: DraftInput) {
    this.base = input.execution;
    const { taskRunList, ...header } = input.execution;
    this.header = header;
    this.list = taskRunList;
    this.index = runIndexOf(taskRunList);
    this.flow = input.flow;
    this.fx = flowIndex(input.flow);
    this.now = input.now;
    this.ids = input.ids;
    this.catalog = input.catalog;
    this.context = input.context;
  }

  // ---- execution header ----

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
    this.patch({ state: withState(this.header.state, state, this.now) });
  }

  /** Sets header fields; an undefined value removes the field. */
  patch(fields: Partial<Omit<Execution, 'taskRunList' | 'id'>>): void {
    const next: Record<string, unknown> = { ...this.header };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    this.header = next as Omit<Execution, 'taskRunList'>;
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
    const p = this.index.pos.get(id);
    return p === undefined ? undefined : this.list[p];
  }

  /** Children of a run (or of the flow, for ROOT/undefined), in creation order. */
  children(parentId: string | undefined): TaskRun[] {
    const positions = this.index.children.get(parentId ?? ROOT);
    if (!positions) return [];
    const out = new Array<TaskRun>(positions.length);
    for (let i = 0; i < positions.length; i++) out[i] = this.list[positions[i]];
    return out;
  }

  node(taskId: string): TaskNode | undefined {
    return this.fx.nodes.get(taskId);
  }

  task(taskId: string): Task | undefined {
    return this.fx.nodes.get(taskId)?.task;
  }

  update(run: TaskRun): void {
    const p = this.index.pos.get(run.id);
    if (p === undefined) throw new Error(`engine invariant: task run ${run.id} is not in execution ${this.header.id}`);
    const before = this.list[p];
    if (before === run) return;
    this.ownList();
    this.list[p] = run;
    if (before.outputs !== run.outputs || before.value !== run.value) this.outputsCache = undefined;
    this.changed = true;
  }

  add(run: TaskRun): void {
    this.ownList();
    this.ownIndex();
    const p = this.list.length;
    this.list.push(run);
    this.index.pos.set(run.id, p);
    const key = run.parentTaskRunId ?? ROOT;
    const siblings = this.index.children.get(key);
    // Children arrays are shared with the cached index of the original list: copy before appending.
    this.index.children.set(key, siblings ? [...siblings, p] : [p]);
    if (run.outputs) this.outputsCache = undefined;
    this.changed = true;
  }

  /** Replaces the whole list (restart, replay). */
  replaceAll(list: TaskRun[]): void {
    this.list = list;
    this.listOwned = true;
    this.index = { pos: new Map(), children: new Map() };
    this.indexOwned = true;
    for (let i = 0; i < list.length; i++) {
      this.index.pos.set(list[i].id, i);
      const key = list[i].parentTaskRunId ?? ROOT;
      const siblings = this.index.children.get(key);
      if (siblings) siblings.push(i);
      else this.index.children.set(key, [i]);
    }
    this.outputsCache = undefined;
    this.changed = true;
  }

  private ownList(): void {
    if (!this.listOwned) {
      this.list = this.list.slice();
      this.listOwned = true;
    }
  }

  private ownIndex(): void {
    if (!this.indexOwned) {
      this.index = { pos: new Map(this.index.pos), children: new Map(this.index.children) };
      this.indexOwned = true;
    }
  }

  // ---- containers to evaluate ----

  /** Queues the container of a changed run: its parent flowable run, or the flow (ROOT). */
  enqueue(parentRunId: string | undefined): void {
    const key = parentRunId ?? ROOT;
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
  }

  /** Evaluates queued containers until none is left. */
  drain(evaluate: (containerId: string) => void): void {
    for (let guard = 0; this.queue.length > 0; guard++) {
      if (guard > 1_000_000) throw new Error('engine invariant: container evaluation does not settle');
      const key = this.queue.shift()!;
      this.queued.delete(key);
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
    const execution = { ...this.header, taskRunList: this.list } as Execution;
    rememberRunIndex(this.list, this.index);
    return execution;
  }
}
