// The embedded runtime's trigger loops: a scheduler timer, and one Pub/Sub subscription per
// Pub/Sub trigger, kept in step with the flows that are loaded.
import { flowKey } from '../../model/flow';
import { toErrorData } from '../../model/errors';
import type { Execution } from '../../model/execution';
import type { Clock } from '../../ports/system';
import { handlePubSubMessage, subscriptionSpec, type PubSubMessage, type PubSubTarget, type PubSubTriggerSource } from '../../triggers/pubsub';
import type { Renderer } from '../../triggers/render';
import type { Reporter } from '../../triggers/report';
import { fireDueSchedules, type ScheduleTarget, type SchedulerDeps } from '../../triggers/scheduler';
import type { StartFn } from '../../triggers/start';

/** Calls the scheduler every `intervalMs`; ticks never overlap. */
export class LocalScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<Execution[]>;
  private stopped = false;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly targets: () => ScheduleTarget[],
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.stopped = false;
    const loop = (): void => {
      this.timer = setTimeout(() => {
        this.tick()
          .catch((err) => this.deps.report({ level: 'ERROR', message: `the scheduler failed: ${toErrorData(err).message}`, error: toErrorData(err) }))
          .finally(() => { if (!this.stopped) loop(); });
      }, this.intervalMs);
    };
    loop();
  }

  /** One scheduler invocation now (or at the given date); returns what it started. */
  async tick(now: Date = this.clock.now()): Promise<Execution[]> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = fireDueSchedules(this.deps, this.targets(), now).then((o) => o.started);
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }
}

export interface DeadLetter {
  subscription: string;
  messageId: string;
  reason: string;
}

/** One subscription per Pub/Sub trigger; a rejected message is acknowledged and dead-lettered with its reason. */
export class LocalPubSubTriggers {
  private readonly active = new Map<string, { target: PubSubTarget; close(): Promise<void> }>();
  private syncing: Promise<void> = Promise.resolve();
  readonly deadLetters: DeadLetter[] = [];

  constructor(
    private readonly source: PubSubTriggerSource & { deadLetter?(subscription: { projectId: string; subscription: string }, message: PubSubMessage, reason: string): Promise<void> },
    private readonly deps: { start: StartFn; renderer: Renderer; report: Reporter; projectId: string },
  ) {}

  /** Subscribes new triggers and closes the subscriptions of triggers that went away. Serialised. */
  sync(targets: readonly PubSubTarget[]): Promise<void> {
    this.syncing = this.syncing.then(() => this.apply(targets)).catch((err) => {
      this.deps.report({ level: 'ERROR', message: `Pub/Sub subscriptions could not be updated: ${toErrorData(err).message}`, error: toErrorData(err) });
    });
    return this.syncing;
  }

  async close(): Promise<void> {
    await this.syncing;
    await Promise.all([...this.active.values()].map((a) => a.close()));
    this.active.clear();
  }

  private async apply(targets: readonly PubSubTarget[]): Promise<void> {
    const wanted = new Map<string, PubSubTarget>();
    for (const t of targets) {
      const spec = subscriptionSpec(t, this.deps.projectId);
      wanted.set(`${spec.projectId}/${spec.subscription}`, t);
    }
    for (const [key, sub] of this.active) {
      if (!wanted.has(key)) {
        this.active.delete(key);
        await sub.close();
      }
    }
    for (const [key, target] of wanted) {
      const existing = this.active.get(key);
      if (existing) {
        existing.target = target;
        continue;
      }
      const spec = subscriptionSpec(target, this.deps.projectId);
      const entry: { target: PubSubTarget; close(): Promise<void> } = { target, close: async () => undefined };
      this.active.set(key, entry);
      try {
        const sub = await this.source.subscribe(spec, (message) => this.handle(key, spec, message));
        entry.close = () => sub.close();
      } catch (err) {
        this.active.delete(key);
        this.deps.report({
          level: 'ERROR', flow: flowKey(target.flow.namespace, target.flow.id), trigger: target.trigger.id,
          message: `could not subscribe to ${spec.subscription} on topic ${spec.topic}: ${toErrorData(err).message}`, error: toErrorData(err),
        });
      }
    }
  }

  private async handle(key: string, spec: { projectId: string; subscription: string }, message: PubSubMessage): Promise<void> {
    const entry = this.active.get(key);
    if (!entry) throw new Error(`subscription ${spec.subscription} is closing`);
    const { flow, trigger } = entry.target;
    const outcome = await handlePubSubMessage(this.deps, entry.target, message);
    if (outcome.status !== 'rejected') return;
    this.deadLetters.push({ subscription: spec.subscription, messageId: message.messageId, reason: outcome.error.message });
    this.deps.report({ level: 'ERROR', flow: flowKey(flow.namespace, flow.id), trigger: trigger.id, message: outcome.error.message, error: outcome.error });
    await this.source.deadLetter?.(spec, message, outcome.error.message);
  }
}
