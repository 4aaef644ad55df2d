// Drives the pure step like a runtime would, without I/O: feeds events, keeps the execution, tracks
// dispatched worker tasks, and checks invariants after every step (schemas, legal transitions, no
// undefined fields).
import { newExecution, step } from '../../../../lib/engine';
import { Effect, type EffectOf } from '../../../../lib/model/effects';
import type { ExecutionEvent } from '../../../../lib/model/events';
import { Execution, type ParentRef, type TaskRun } from '../../../../lib/model/execution';
import type { Flow, Task } from '../../../../lib/model/flow';
import { canTransition, type State, type StateRecord } from '../../../../lib/model/states';
import type { WorkerResult, WorkerTask } from '../../../../lib/model/worker-messages';
import { testCatalog } from './catalog';
import { fakeIds } from './ids';

export const T0 = new Date('2024-01-01T00:00:00.000Z');

export function flow(tasks: Task[], extra: Partial<Flow> = {}): Flow {
  return { id: 'f', namespace: 'test', revision: 1, tasks, ...extra };
}

export interface StartOptions {
  inputs?: Record<string, unknown>;
  parent?: ParentRef;
  context?: { globals?: Record<string, unknown>; envs?: Record<string, string> };
  labels?: Record<string, string>;
}

export interface WorkerAnswer {
  state: State;
  outputs?: Record<string, unknown>;
  error?: { code: string; message: string };
  /** As the recovery sweep reports an attempt whose worker died. */
  lost?: true;
}

export class Harness {
  now = T0;
  readonly ids = fakeIds('r');
  readonly catalog = testCatalog();
  readonly all: Effect[] = [];
  last: Effect[] = [];
  private readonly open = new Map<string, WorkerTask>();

  constructor(public execution: Execution, public readonly flow: Flow, private readonly context?: StartOptions['context']) {}

  static start(f: Flow, opts: StartOptions = {}): Harness {
    const h = Harness.create(f, opts);
    h.send({ type: 'ExecutionCreated' });
    return h;
  }

  static create(f: Flow, opts: StartOptions = {}): Harness {
    const execution = newExecution({ id: 'e1', flow: f, inputs: opts.inputs ?? {}, now: T0, parent: opts.parent, labels: opts.labels });
    return new Harness(execution, f, opts.context);
  }

  send(event: ExecutionEvent): Effect[] {
    const before = this.execution;
    const out = step({ execution: before, flow: this.flow, event, now: this.now, ids: this.ids, catalog: this.catalog, context: this.context });
    if (out.effects.length > 0 && out.execution === before) throw new Error('step emitted effects without changing the execution');
    this.execution = out.execution;
    this.last = out.effects;
    this.all.push(...out.effects);
    checkInvariants(out.execution, out.effects);
    for (const e of out.effects) {
      if (e.type === 'DispatchWorkerTask') this.open.set(`${e.workerTask.taskRunId}:${e.workerTask.attempt}`, e.workerTask);
      if (e.type === 'StopWorkerTask') this.open.delete(`${e.taskRunId}:${e.attempt}`);
    }
    return out.effects;
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }

  get state(): State {
    return this.execution.state.current;
  }

  /** Worker tasks dispatched and not answered yet, oldest first. */
  pending(): WorkerTask[] {
    return [...this.open.values()];
  }

  runs(taskId: string): TaskRun[] {
    return this.execution.taskRunList.filter((r) => r.taskId === taskId);
  }

  run(taskId: string, value?: string): TaskRun {
    const found = this.runs(taskId).filter((r) => value === undefined || r.value === value);
    if (found.length === 0) throw new Error(`no run of ${taskId}${value !== undefined ? `[${value}]` : ''}`);
    return found[found.length - 1];
  }

  has(taskId: string): boolean {
    return this.runs(taskId).length > 0;
  }

  /** taskId (or taskId[value]) -> current state, for every run. */
  states(): Record<string, State> {
    const out: Record<string, State> = {};
    for (const r of this.execution.taskRunList) out[r.value !== undefined ? `${r.taskId}[${r.value}]` : r.taskId] = r.state.current;
    return out;
  }

  history(taskId: string, value?: string): State[] {
    return this.run(taskId, value).state.histories.map((h) => h.state);
  }

  effectsOf<T extends Effect['type']>(type: T, from: Effect[] = this.all): EffectOf<T>[] {
    return from.filter((e) => e.type === type) as EffectOf<T>[];
  }

  started(taskId: string, value?: string): Effect[] {
    const run = this.run(taskId, value);
    return this.send({ type: 'AttemptStarted', taskRunId: run.id, attempt: run.attempts.length - 1, at: this.now.toISOString() });
  }

  /** Reports the current attempt of the task's run (started first) with the given answer. */
  answer(taskId: string, a: WorkerAnswer, value?: string): Effect[] {
    const run = this.run(taskId, value);
    const attempt = run.attempts.length - 1;
    const effects = [...this.started(taskId, value)];
    this.open.delete(`${run.id}:${attempt}`);
    effects.push(...this.send({ type: 'WorkerResult', result: this.result(run.id, attempt, a) }));
    return effects;
  }

  succeed(taskId: string, outputs?: Record<string, unknown>, value?: string): Effect[] {
    return this.answer(taskId, { state: 'SUCCESS', outputs }, value);
  }

  fail(taskId: string, value?: string, message = 'boom'): Effect[] {
    return this.answer(taskId, { state: 'FAILED', error: { code: 'TASK_FAILED', message } }, value);
  }

  /** The current attempt is lost: its worker died, as core/recovery.ts reports it. */
  lose(taskId: string, value?: string): Effect[] {
    return this.answer(taskId, { state: 'FAILED', error: { code: 'INFRA_RETRYABLE', message: 'attempt was lost' }, lost: true }, value);
  }

  result(taskRunId: string, attempt: number, a: WorkerAnswer): WorkerResult {
    return {
      executionId: this.execution.id, taskRunId, attempt, state: a.state, startedAt: this.now.toISOString(), endedAt: this.now.toISOString(),
      ...(a.outputs ? { outputs: a.outputs } : {}), ...(a.error ? { error: a.error } : {}), ...(a.lost ? { lost: a.lost } : {}),
    };
  }

  /**
   * Plays a fake worker: answers every pending worker task with `worker(task)` until none is left
   * or the worker returns undefined for all of them.
   */
  drive(worker: (wt: WorkerTask) => WorkerAnswer | undefined = () => ({ state: 'SUCCESS' }), maxSteps = 10_000): void {
    for (let i = 0; i < maxSteps; i++) {
      const next = this.pending().find((wt) => worker(wt) !== undefined);
      if (!next) return;
      const a = worker(next)!;
      this.open.delete(`${next.taskRunId}:${next.attempt}`);
      this.send({ type: 'AttemptStarted', taskRunId: next.taskRunId, attempt: next.attempt, at: this.now.toISOString() });
      this.send({ type: 'WorkerResult', result: this.result(next.taskRunId, next.attempt, a) });
    }
    throw new Error('drive did not settle');
  }

  /** Fires every ScheduleWakeUp emitted by the last step whose time has come (after advancing to it). */
  fireWakeUps(from: Effect[] = this.last): void {
    for (const w of this.effectsOf('ScheduleWakeUp', from)) {
      const at = new Date(w.at);
      if (at > this.now) this.now = at;
      this.send({ type: 'WakeUp', taskRunId: w.taskRunId, reason: w.reason });
    }
  }
}

function checkRecord(what: string, r: StateRecord): void {
  if (r.histories.length === 0 || r.histories[r.histories.length - 1].state !== r.current) throw new Error(`${what}: current state is not the last history entry`);
  for (let i = 1; i < r.histories.length; i++) {
    const from = r.histories[i - 1].state;
    const to = r.histories[i].state;
    if (!canTransition(from, to)) throw new Error(`${what}: illegal transition ${from} -> ${to} in ${r.histories.map((h) => h.state).join(',')}`);
  }
}

function checkNoUndefined(value: unknown, path: string): void {
  if (value === undefined) throw new Error(`undefined value at ${path}`);
  if (Array.isArray(value)) value.forEach((v, i) => checkNoUndefined(v, `${path}[${i}]`));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) checkNoUndefined(v, `${path}.${k}`);
}

export function checkInvariants(execution: Execution, effects: Effect[]): void {
  Execution.parse(execution);
  for (const e of effects) Effect.parse(e);
  checkNoUndefined(execution, 'execution');
  checkNoUndefined(effects.filter((e) => e.type !== 'DispatchWorkerTask'), 'effects');
  checkRecord('execution', execution.state);
  for (const r of execution.taskRunList) {
    checkRecord(`run ${r.taskId}`, r.state);
    r.attempts.forEach((a, i) => checkRecord(`run ${r.taskId} attempt ${i}`, a.state));
  }
  const ended = effects.filter((e) => e.type === 'ExecutionEnded');
  if (ended.length > 1) throw new Error('more than one ExecutionEnded in one step');
}
