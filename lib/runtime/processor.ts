// Serialises executor passes per execution inside one process: a wake marks the execution dirty,
// and one pass at a time folds whatever is pending. Passes of different executions interleave.
import type { Execution } from '../model/execution';
import type { OutboxEntry, StateStore } from '../ports';
import type { PassResult } from './executor';

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
  };
}

export class ExecutionProcessor {
  private readonly dirty = new Set<string>();
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
    this.dirty.add(executionId);
    this.schedule();
  }

  // setImmediate batches wakes that arrive together into one pass per execution.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  isBusy(executionId: string): boolean {
    return this.current === executionId || this.dirty.has(executionId) || this.active.has(executionId);
  }

  /** Resolves when no pass is running or queued. */
  idle(): Promise<void> {
    if (this.dirty.size === 0 && this.active.size === 0 && this.current === undefined) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    this.scheduled = false;
    let started = 0;
    for (const id of this.dirty) {
      if (this.active.has(id)) continue;
      if (started++ === this.passesPerTurn) {
        this.schedule();
        return;
      }
      this.dirty.delete(id);
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
  }

  private settle(id: string): void {
    this.active.delete(id);
    if (this.dirty.has(id)) this.schedule();
    if (this.dirty.size === 0 && this.active.size === 0) {
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
