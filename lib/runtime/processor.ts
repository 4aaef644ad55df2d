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
}

export class ExecutionProcessor {
  private readonly dirty = new Set<string>();
  private readonly active = new Set<string>();
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly store: StateStore, private readonly hooks: ProcessorHooks) {}

  wake(executionId: string): void {
    this.dirty.add(executionId);
    if (!this.scheduled) {
      this.scheduled = true;
      // setImmediate batches wakes that arrive together into one pass per execution.
      setImmediate(() => this.drain());
    }
  }

  isBusy(executionId: string): boolean {
    return this.dirty.has(executionId) || this.active.has(executionId);
  }

  /** Resolves when no pass is running or queued. */
  idle(): Promise<void> {
    if (this.dirty.size === 0 && this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private drain(): void {
    this.scheduled = false;
    for (const id of this.dirty) {
      if (this.active.has(id)) continue;
      this.dirty.delete(id);
      this.active.add(id);
      void this.run(id).finally(() => {
        this.active.delete(id);
        if (this.dirty.has(id) && !this.scheduled) { this.scheduled = true; setImmediate(() => this.drain()); }
        if (this.dirty.size === 0 && this.active.size === 0) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          for (const w of waiters) w();
        }
      });
    }
  }

  private async run(executionId: string): Promise<void> {
    try {
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
