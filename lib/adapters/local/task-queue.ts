// In-process TaskQueue with Pub/Sub's contract: at least once, FIFO per group, a bounded number of
// handlers running at once per group, redelivery with capped backoff when a handler throws, and
// dead letters (kept for inspection) for messages that do not parse or keep failing.
import { WorkerTask } from '../../model/worker-messages';
import type { PluginGroup } from '../../model/catalog';
import type { DeadLetter, Subscription, TaskQueue } from '../../ports/task-queue';

export interface InProcessTaskQueueOptions {
  /** Deliver every published task twice (tests of idempotency). */
  duplicateDeliveries?: boolean;
  /** Handlers running at once, per group; a number applies to every group. Default 64. */
  concurrency?: number | Partial<Record<string, number>>;
  /** Deliveries of one message before it is dead-lettered, like a Pub/Sub dead-letter policy. Default 10. */
  maxDeliveries?: number;
  /** Redelivery delay after a failure: minMs doubled per failure, capped at maxMs. Default 100 ms to 10 s. */
  backoff?: { minMs?: number; maxMs?: number };
  /**
   * Deliveries started per turn of the event loop, per group, before the queue lets other work run
   * (the executor folding results, I/O). Without it a burst of quick tasks runs the whole backlog
   * in one turn and every task waits for all the others. Default 512, more than the processor folds per turn.
   */
  deliveriesPerTurn?: number;
}

/** A handler that returns nothing finished synchronously (the embedded runtime's fast path). */
type Handler = (task: WorkerTask) => Promise<void> | void;

interface Item {
  /** Trusted tasks published through `publish`; raw messages are parsed on receipt. */
  task?: WorkerTask;
  raw?: string;
  deliveries: number;
}

interface Subscriber {
  handler: Handler;
  running: number;
  /** Resolved when `running` drops to zero, for close(). */
  drained: Array<() => void>;
}

class Group {
  items: Item[] = [];
  head = 0;
  inFlight = 0;
  retries = new Set<NodeJS.Timeout>();
  subscribers: Subscriber[] = [];
  next = 0;
  scheduled = false;
  /** Deliveries started since the last scheduled pump. */
  turn = 0;
  constructor(readonly name: string, readonly concurrency: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  shift(): Item {
    const item = this.items[this.head];
    this.items[this.head++] = undefined as unknown as Item;
    // Compact now and then so a long-lived queue does not keep a growing array of holes.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class InProcessTaskQueue implements TaskQueue {
  private readonly groups = new Map<string, Group>();
  private readonly dead: DeadLetter[] = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly maxDeliveries: number;
  private readonly minBackoff: number;
  private readonly maxBackoff: number;
  private readonly perTurn: number;

  constructor(private readonly opts: InProcessTaskQueueOptions = {}) {
    this.perTurn = Math.max(1, opts.deliveriesPerTurn ?? 512);
    this.maxDeliveries = opts.maxDeliveries ?? 10;
    this.minBackoff = opts.backoff?.minMs ?? 100;
    this.maxBackoff = opts.backoff?.maxMs ?? 10_000;
  }

  async publish(task: WorkerTask): Promise<void> {
    this.publishNow(task);
  }

  /** `publish`, synchronously: the task is queued when this returns (delivery starts on a later turn). */
  publishNow(task: WorkerTask): void {
    const group = this.group(task.group);
    group.items.push({ task, deliveries: 0 });
    if (this.opts.duplicateDeliveries) group.items.push({ task, deliveries: 0 });
    this.schedule(group);
  }

  /** Publishes a message as raw text, as a foreign publisher could; it is parsed on receipt. */
  async publishRaw(group: string, data: string): Promise<void> {
    const g = this.group(group);
    g.items.push({ raw: data, deliveries: 0 });
    this.schedule(g);
  }

  async subscribe(group: PluginGroup, handler: Handler): Promise<Subscription> {
    const g = this.group(group);
    const sub: Subscriber = { handler, running: 0, drained: [] };
    g.subscribers.push(sub);
    this.schedule(g);
    return {
      close: async () => {
        g.subscribers = g.subscribers.filter((s) => s !== sub);
        if (sub.running > 0) await new Promise<void>((resolve) => sub.drained.push(resolve));
      },
    };
  }

  /** Messages that were dead-lettered, oldest first. */
  deadLetters(group?: string): DeadLetter[] {
    return this.dead.filter((d) => group === undefined || d.group === group);
  }

  /** Messages waiting, running or waiting for redelivery, in every group. */
  pending(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.size + g.inFlight + g.retries.size;
    return n;
  }

  /** Resolves when no message is waiting, running or due for redelivery. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private group(name: string): Group {
    let g = this.groups.get(name);
    if (!g) {
      const c = this.opts.concurrency;
      const concurrency = typeof c === 'number' ? c : c?.[name] ?? 64;
      g = new Group(name, Math.max(1, concurrency));
      this.groups.set(name, g);
    }
    return g;
  }

  // Deliveries start on a later turn, so `publish` never runs a handler inside its caller.
  private schedule(g: Group): void {
    if (g.scheduled) return;
    g.scheduled = true;
    setImmediate(() => {
      g.scheduled = false;
      g.turn = 0;
      this.pump(g);
    });
  }

  private pump(g: Group): void {
    while (g.inFlight < g.concurrency && g.size > 0 && g.subscribers.length > 0) {
      if (g.turn >= this.perTurn) {
        this.schedule(g);
        break;
      }
      g.turn++;
      const item = g.shift();
      const task = item.task ?? this.parse(g, item);
      if (!task) continue;
      const sub = g.subscribers[g.next++ % g.subscribers.length];
      this.deliver(g, sub, item, task);
    }
    this.checkIdle();
  }

  private parse(g: Group, item: Item): WorkerTask | undefined {
    let value: unknown;
    try {
      value = JSON.parse(item.raw ?? '');
    } catch (err) {
      this.deadLetter(g, item, `message is not JSON: ${(err as Error).message}`);
      return undefined;
    }
    const parsed = WorkerTask.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      this.deadLetter(g, item, `message is not a valid worker task: ${issues}`);
      return undefined;
    }
    return parsed.data;
  }

  // One reaction per delivery (no extra promise from finally()): this runs once per task. A handler
  // that finished synchronously is settled at once, without calling back into the pump that runs it.
  private deliver(g: Group, sub: Subscriber, item: Item, task: WorkerTask): void {
    g.inFlight++;
    sub.running++;
    item.deliveries++;
    let run: Promise<void> | void;
    try {
      run = sub.handler(task);
    } catch (err) {
      run = Promise.reject(err);
    }
    if (!run || typeof run.then !== 'function') {
      this.release(g, sub);
      return;
    }
    run.then(
      () => this.settle(g, sub),
      (err: unknown) => {
        this.nack(g, item, task, err);
        this.settle(g, sub);
      },
    );
  }

  private settle(g: Group, sub: Subscriber): void {
    this.release(g, sub);
    this.pump(g);
  }

  private release(g: Group, sub: Subscriber): void {
    g.inFlight--;
    if (--sub.running === 0 && sub.drained.length > 0) for (const resolve of sub.drained.splice(0)) resolve();
  }

  private nack(g: Group, item: Item, task: WorkerTask, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    if (item.deliveries >= this.maxDeliveries) {
      this.deadLetter(g, { ...item, raw: item.raw ?? JSON.stringify(task) }, `handler failed ${item.deliveries} times: ${reason}`);
      return;
    }
    const delay = Math.min(this.maxBackoff, this.minBackoff * 2 ** (item.deliveries - 1));
    const timer = setTimeout(() => {
      g.retries.delete(timer);
      g.items.push(item);
      this.pump(g);
    }, delay);
    timer.unref();
    g.retries.add(timer);
  }

  private deadLetter(g: Group, item: Item, reason: string): void {
    this.dead.push({ group: g.name, reason, data: item.raw ?? JSON.stringify(item.task) });
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || this.pending() > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
