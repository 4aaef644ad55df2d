// Serialises executor passes per execution inside one process: a wake marks the execution dirty,
// and one pass at a time folds whatever is pending. Passes of different executions interleave.
import type { Execution } from '../../model/execution';
import type { OutboxEntry, StateStore } from '../../ports';
import type { PassResult } from '../core/pass';

export interface ProcessorHooks {
  pass(executionId: string): Promise<PassResult | null>;
  publish(entries: OutboxEntry[]): Promise<void>;
  updated(execution: Execution, before: Execution): void;
  failed(executionId: string, err: unknown): void;
  /**
   * The embedded runtime's fast path, on in-memory adapters: `pass` without a promise (undefined
   * when it cannot run synchronously), `publish` of what can be published synchronously, in order
   * (a promise for the rest, undefined when all went), and `hasPending`.
   */
  now?: {
    pass(executionId: string): PassResult | null | undefined;
    publish(entries: OutboxEntry[]): Promise<void> | undefined;
    hasPending(executionId: string): boolean;
    /** True for an execution that has not started (still CREATED): it waits behind running ones. */
    fresh?(executionId: string): boolean;
  };
}

export class ExecutionProcessor {
  /** Started executions with something to fold, in wake order. */
  private readonly dirty = new Set<string>();
  /**
   * Executions not started yet. A turn folds running executions first and gives new ones what is left,
   * at most `passesPerTurn / 8` and at least `passesPerTurn / 16` (one at least, so none waits forever):
   * a burst of starts then runs a few hundred executions at a time to their end instead of all of them
   * one step at a time, so each task waits less and an execution's intermediate states die young (the
   * garbage collector's cheap case). Without the upper bound a turn whose running executions were
   * waiting on their workers admitted up to a whole budget of new ones, and a 4,000-execution burst had
   * 2,000 half done at once (docs/durability.md has the measurements of both bounds).
   */
  private readonly fresh = new Set<string>();
  /** Executions whose passes continue asynchronously. */
  private readonly active = new Set<string>();
  /** The execution being folded synchronously right now (no Set entry per pass on the fast path). */
  private current: string | undefined;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  /**
   * `passesPerTurn`: executions folded per turn of the event loop before workers and I/O get theirs.
   * Without it a burst folds thousands of executions in one turn while the tasks they dispatched wait.
   */
  constructor(private readonly store: StateStore, private readonly hooks: ProcessorHooks, private readonly passesPerTurn = 256) {}

  wake(executionId: string): void {
    if (!this.dirty.has(executionId) && this.hooks.now?.fresh?.(executionId)) this.fresh.add(executionId);
    else {
      this.fresh.delete(executionId);
      this.dirty.add(executionId);
    }
    this.schedule();
  }

  // setImmediate batches wakes that arrive together into one pass per execution.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  isBusy(executionId: string): boolean {
    return this.current === executionId || this.dirty.has(executionId) || this.fresh.has(executionId) || this.active.has(executionId);
  }

  /** Resolves when no pass is running or queued. */
  idle(): Promise<void> {
    if (this.quiet()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private quiet(): boolean {
    return this.dirty.size === 0 && this.fresh.size === 0 && this.active.size === 0 && this.current === undefined;
  }

  private drain(): void {
    this.scheduled = false;
    const left = this.fold(this.dirty, this.passesPerTurn);
    this.fold(this.fresh, Math.max(Math.min(left, this.passesPerTurn >> 3), this.passesPerTurn >> 4, 1));
  }

  /** Folds up to `budget` executions of `queue` (the next turn takes the rest); returns the budget left. */
  private fold(queue: Set<string>, budget: number): number {
    for (const id of queue) {
      if (this.active.has(id)) continue;
      if (budget === 0) {
        this.schedule();
        return 0;
      }
      budget--;
      queue.delete(id);
      this.current = id;
      let running: Promise<void> | undefined;
      try {
        running = this.runNow(id);
      } catch (err) {
        this.hooks.failed(id, err);
      } finally {
        this.current = undefined;
      }
      if (running) {
        this.active.add(id);
        void running.then(() => this.settle(id));
      } else this.settle(id);
    }
    return budget;
  }

  private settle(id: string): void {
    this.active.delete(id);
    if (this.dirty.has(id) || this.fresh.has(id)) this.schedule();
    if (this.quiet()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /**
   * Passes until nothing is pending, synchronously for as long as every step can be (no promise, no
   * turn of the event loop); from the first step that cannot, the rest runs asynchronously and a
   * promise is returned. The same steps in the same order as `run`.
   */
  private runNow(executionId: string): Promise<void> | undefined {
    const now = this.hooks.now;
    if (!now) return this.run(executionId, false);
    for (;;) {
      const result = now.pass(executionId);
      if (result === undefined) return this.run(executionId, false);
      if (result) {
        this.hooks.updated(result.execution, result.before);
        if (result.outbox.length) {
          const rest = now.publish(result.outbox);
          if (rest) return rest.then(() => this.run(executionId, true), (err: unknown) => this.hooks.failed(executionId, err));
        }
      }
      if (!now.hasPending(executionId)) return undefined;
    }
  }

  /** Never rejects: failures are reported through `failed`. */
  private async run(executionId: string, published: boolean): Promise<void> {
    try {
      if (published && !(await this.store.hasPending(executionId))) return;
      for (;;) {
        const result = await this.hooks.pass(executionId);
        if (result) {
          this.hooks.updated(result.execution, result.before);
          if (result.outbox.length) await this.hooks.publish(result.outbox);
        }
        if (!(await this.store.hasPending(executionId))) return;
      }
    } catch (err) {
      this.hooks.failed(executionId, err);
    }
  }
}
