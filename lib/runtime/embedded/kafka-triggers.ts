// `aloft server`'s Kafka RealtimeTriggers: one consumer per trigger, in-process, kept in step with
// the flows that are loaded. The client loads only once a flow has such a trigger.
import { toErrorData } from '../../model/errors';
import { flowKey } from '../../model/flow';
import { handleKafkaRecord, renderedConsume, type KafkaTarget, type KafkaTriggerRecord, type KafkaTriggerSource } from '../../triggers/kafka';
import type { Renderer } from '../../triggers/render';
import type { Reporter } from '../../triggers/report';
import type { StartFn } from '../../triggers/start';

interface Active {
  target: KafkaTarget;
  /** What the consumer was made from: a change resubscribes. */
  fingerprint: string;
  close(): Promise<void>;
}

export class LocalKafkaTriggers {
  private readonly active = new Map<string, Active>();
  private syncing: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: () => Promise<KafkaTriggerSource>,
    private readonly deps: { start: StartFn; renderer: Renderer; report: Reporter; context: { globals: Record<string, unknown>; envs: Record<string, string> } },
  ) {}

  /** Starts the consumers of new triggers, restarts changed ones and stops those that went away. Serialised. */
  sync(targets: readonly KafkaTarget[]): Promise<void> {
    this.syncing = this.syncing.then(() => this.apply(targets)).catch((err) => {
      this.deps.report({ level: 'ERROR', message: `Kafka triggers could not be updated: ${toErrorData(err).message}`, error: toErrorData(err) });
    });
    return this.syncing;
  }

  async close(): Promise<void> {
    await this.syncing;
    const all = [...this.active.values()];
    this.active.clear();
    await Promise.all(all.map((a) => a.close()));
  }

  private async apply(targets: readonly KafkaTarget[]): Promise<void> {
    const wanted = new Map<string, KafkaTarget>();
    for (const t of targets) wanted.set(`${flowKey(t.flow.namespace, t.flow.id)}:${t.trigger.id}`, t);
    for (const [key, a] of [...this.active]) {
      const next = wanted.get(key);
      if (next && JSON.stringify(next.trigger.consume) === a.fingerprint) continue;
      this.active.delete(key);
      await a.close();
    }
    for (const [key, target] of wanted) {
      const existing = this.active.get(key);
      if (existing) {
        existing.target = target;
        continue;
      }
      const entry: Active = { target, fingerprint: JSON.stringify(target.trigger.consume), close: async () => undefined };
      this.active.set(key, entry);
      const where = { flow: flowKey(target.flow.namespace, target.flow.id), trigger: target.trigger.id };
      try {
        const consume = await renderedConsume(this.deps.renderer, target, this.deps.context);
        const source = await this.source();
        const sub = await source.subscribe(consume, (record) => this.handle(key, record), (err) => this.deps.report({
          level: 'ERROR', ...where, message: `Kafka trigger ${target.trigger.id} of ${where.flow}: ${err.message}`,
        }));
        if (this.active.get(key) === entry) entry.close = () => sub.close();
        else await sub.close();
      } catch (err) {
        if (this.active.get(key) === entry) this.active.delete(key);
        this.deps.report({
          level: 'ERROR', ...where, message: `Kafka trigger ${target.trigger.id} of ${where.flow} cannot start: ${toErrorData(err).message}`, error: toErrorData(err),
        });
      }
    }
  }

  private async handle(key: string, record: KafkaTriggerRecord): Promise<void> {
    const entry = this.active.get(key);
    // Throwing leaves the offset uncommitted: the next consumer of the group reads the record again.
    if (!entry) throw new Error(`the Kafka trigger ${key} is stopping`);
    const outcome = await handleKafkaRecord(this.deps, entry.target, record);
    if (outcome.status !== 'rejected') return;
    const { flow, trigger } = entry.target;
    this.deps.report({ level: 'ERROR', flow: flowKey(flow.namespace, flow.id), trigger: trigger.id, message: outcome.error.message, error: outcome.error });
  }
}
