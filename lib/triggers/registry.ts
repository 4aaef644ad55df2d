// The triggers of every loaded flow, kept by the embedded runtime: Schedule targets for the
// scheduler loop, Pub/Sub targets for subscriptions, polling triggers, and the Flow-trigger index.
import { toErrorData } from '../model/errors';
import { flowKey, type Flow } from '../model/flow';
import { parseTrigger, type ParsedTrigger, type ParsedTriggerOf } from './catalog';
import { FlowTriggerIndex } from './flow-index';
import type { KafkaTarget } from './kafka';
import { isPollingKind, type PollingKind } from './polling';
import type { PubSubTarget } from './pubsub';
import type { Reporter } from './report';
import type { ScheduleTarget } from './scheduler';

/** A trigger of a polling kind, with its flow. */
export interface PollTarget {
  flow: Flow;
  trigger: ParsedTriggerOf<PollingKind>;
}

export class TriggerRegistry {
  readonly flowIndex = new FlowTriggerIndex();
  private readonly schedules = new Map<string, ScheduleTarget[]>();
  private readonly pubsub = new Map<string, PubSubTarget[]>();
  private readonly kafka = new Map<string, KafkaTarget[]>();
  private readonly polling = new Map<string, PollTarget[]>();

  constructor(private readonly report: Reporter, private readonly defaultTimezone = 'UTC') {}

  /** Registers the triggers of a flow's latest revision, replacing the previous ones. */
  set(flow: Flow): void {
    const key = flowKey(flow.namespace, flow.id);
    const parsed: ParsedTrigger[] = [];
    for (const t of flow.triggers ?? []) {
      try {
        const r = parseTrigger(t, this.defaultTimezone);
        if (r.ok === true) parsed.push(r.trigger);
        else if (r.ok === false) this.report({ level: 'ERROR', flow: key, trigger: t.id, message: `flow ${key}: ${r.message}; the trigger will not fire` });
      } catch (err) {
        this.report({ level: 'ERROR', flow: key, trigger: t.id, message: `flow ${key}: trigger ${t.id}: ${toErrorData(err).message}`, error: toErrorData(err) });
      }
    }
    const of = <K extends ParsedTrigger['kind']>(kind: K): ParsedTriggerOf<K>[] => parsed.filter((t): t is ParsedTriggerOf<K> => t.kind === kind);
    this.flowIndex.set(flow, of('Flow'));
    this.put(this.schedules, key, of('Schedule').map((trigger) => ({ flow, trigger })));
    this.put(this.pubsub, key, of('PubSub').filter((t) => !t.disabled).map((trigger) => ({ flow, trigger })));
    this.put(this.kafka, key, of('Kafka').filter((t) => !t.disabled && !flow.disabled).map((trigger) => ({ flow, trigger })));
    const polling = parsed.filter((t): t is ParsedTriggerOf<PollingKind> => isPollingKind(t.kind));
    this.put(this.polling, key, polling.filter((t) => !t.disabled && !flow.disabled).map((trigger) => ({ flow, trigger })));
  }

  remove(namespace: string, flowId: string): void {
    const key = flowKey(namespace, flowId);
    this.flowIndex.remove(namespace, flowId);
    this.schedules.delete(key);
    this.pubsub.delete(key);
    this.kafka.delete(key);
    this.polling.delete(key);
  }

  scheduleTargets(): ScheduleTarget[] {
    return [...this.schedules.values()].flat();
  }

  pubSubTargets(): PubSubTarget[] {
    return [...this.pubsub.values()].flat();
  }

  /** RealtimeTriggers (the polling Trigger is read by the scheduler). */
  kafkaRealtimeTargets(): KafkaTarget[] {
    return [...this.kafka.values()].flat().filter((t) => t.trigger.realtime);
  }

  /** Triggers of a polling kind (lib/triggers/polling.ts), run by the scheduler; each kind says which of its triggers poll. */
  pollTargets(): PollTarget[] {
    return [...this.polling.values()].flat();
  }

  private put<T>(map: Map<string, T[]>, key: string, list: T[]): void {
    if (list.length > 0) map.set(key, list);
    else map.delete(key);
  }
}
