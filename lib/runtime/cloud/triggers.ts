// Triggers in the cloud, over the triggers engineer's pure handlers (lib/triggers): Schedule triggers
// fired by the scheduler function, Flow triggers evaluated when an execution ends, and PubSub triggers
// for messages pushed to the `pubsubTrigger` function. The flows' triggers are read from the
// FlowRepository and kept per instance for a short while (ALOFT_TRIGGER_CACHE_MS).
import { z } from 'zod';
import { AloftError, ErrorCode, toErrorData } from '../../model/errors';
import type { EffectOf } from '../../model/effects';
import type { Execution } from '../../model/execution';
import { flowKey } from '../../model/flow';
import type { Clock, FlowRepository } from '../../ports';
import type { BlobStore } from '../../ports/blob-store';
import type { TriggerStateStore } from '../../ports/trigger-state';
import type { DeadLetter } from '../../ports/task-queue';
import { evaluateFlowTriggers } from '../../triggers/flow-evaluate';
import { handlePubSubMessage, type PubSubMessage, type PubSubOutcome, type PubSubTarget } from '../../triggers/pubsub';
import type { Renderer } from '../../triggers/render';
import { TriggerRegistry } from '../../triggers/registry';
import type { TriggerReport } from '../../triggers/report';
import { fireDueSchedules } from '../../triggers/scheduler';
import { drainKafkaTrigger, type KafkaTarget, type KafkaTriggerSource } from '../../triggers/kafka';
import { kafkaRealtimeSource, pollingTriggers } from '../../triggers/polling-catalog';
import { pollTriggers } from '../core/polling';
import type { StartFn } from '../../triggers/start';
import type { CloudLog } from './log';

export interface TriggerDeps {
  flowRepo: FlowRepository;
  /** Absent when no Firestore TriggerStateStore is wired: Schedule and Flow triggers then report NOT_IMPLEMENTED. */
  triggerState?: TriggerStateStore;
  start: StartFn;
  renderer: Renderer;
  clock: Clock;
  log: CloudLog;
  loadExecution(executionId: string): Promise<Execution | null>;
  timezone: string;
  projectId: string;
  cacheMs: number;
  context?: { globals?: Record<string, unknown>; envs?: Record<string, string> };
  /** Where polling triggers store what they found; absent, they report NOT_IMPLEMENTED. */
  blobs?: BlobStore;
  env?: Readonly<Record<string, string | undefined>>;
  /** The longest a scheduler tick reads a Kafka RealtimeTrigger's group; sooner once caught up (ALOFT_KAFKA_REALTIME_WINDOW_MS). */
  realtimeWindowMs: number;
  /** Where RealtimeTriggers read; default the Kafka client, loaded on the first such trigger. */
  kafkaSource?: () => Promise<KafkaTriggerSource>;
}

/** The triggers of every flow's latest revision, rebuilt from the repository when older than `cacheMs`. */
export class CloudTriggerRegistry {
  private cached?: { at: number; registry: Promise<TriggerRegistry> };

  constructor(private readonly deps: Pick<TriggerDeps, 'flowRepo' | 'clock' | 'timezone' | 'cacheMs'>, private readonly report: (r: TriggerReport) => void) {}

  get(): Promise<TriggerRegistry> {
    const now = this.deps.clock.now().getTime();
    if (!this.cached || now - this.cached.at > this.deps.cacheMs) {
      const registry = this.build();
      this.cached = { at: now, registry };
      registry.catch(() => { if (this.cached?.registry === registry) this.cached = undefined; });
    }
    return this.cached.registry;
  }

  /** A flow was saved or deleted: the next use reads the flows again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async build(): Promise<TriggerRegistry> {
    const registry = new TriggerRegistry(this.report, this.deps.timezone);
    for (const stored of await this.deps.flowRepo.list()) registry.set({ ...stored.flow, revision: stored.revision });
    return registry;
  }
}

export function reportTo(log: CloudLog): (r: TriggerReport) => void {
  return (r) => {
    const at = r.flow?.lastIndexOf('.') ?? -1;
    const labels = { ...(r.executionId ? { executionId: r.executionId } : {}), ...(r.flow && at > 0 ? { namespace: r.flow.slice(0, at), flowId: r.flow.slice(at + 1) } : {}) };
    const extra = { ...(r.trigger ? { trigger: r.trigger } : {}), ...(r.error ? { error: r.error } : {}) };
    log.write(r.level === 'WARN' ? 'WARNING' : r.level, r.message, labels, extra);
  };
}

export interface ScheduleStepReport {
  started: number;
  status: 'fired' | 'not-implemented';
}

/** The scheduler's schedule step: every due date of every Schedule trigger, each claimed once. */
export async function fireSchedules(deps: TriggerDeps, registry: CloudTriggerRegistry, now: Date): Promise<ScheduleStepReport> {
  const targets = (await registry.get()).scheduleTargets();
  if (!deps.triggerState) {
    if (targets.length > 0) {
      deps.log.warn(`scheduler: ${targets.length} Schedule trigger(s) not fired: no trigger state store is configured (NOT_IMPLEMENTED)`, {}, { code: ErrorCode.NOT_IMPLEMENTED });
    }
    return { started: 0, status: 'not-implemented' };
  }
  const outcome = await fireDueSchedules({
    state: deps.triggerState, start: deps.start, renderer: deps.renderer, report: reportTo(deps.log), context: deps.context,
  }, targets, now);
  return { started: outcome.started.length, status: 'fired' };
}

/**
 * The scheduler's polling step: every polling trigger (Kafka, BigQuery, GCS) whose interval slot is
 * due polls once (a Cloud Function holds no consumer open between invocations; docs/triggers.md).
 * A Kafka RealtimeTrigger, which has a consumer that stays up on `aloft server`, reads its group on each
 * tick instead, until caught up or for ALOFT_KAFKA_REALTIME_WINDOW_MS at most (docs/plugins-kafka.md):
 * one execution per record.
 */
export async function pollDue(deps: TriggerDeps, registry: CloudTriggerRegistry, now: Date): Promise<number> {
  const reg = await registry.get();
  const realtime = await drainRealtime(deps, reg.kafkaRealtimeTargets());
  const targets = reg.pollTargets();
  if (targets.length === 0) return realtime;
  if (!deps.triggerState || !deps.blobs) {
    deps.log.warn(`scheduler: ${targets.length} polling trigger(s) not polled: no trigger state or blob store is configured (NOT_IMPLEMENTED)`, {}, { code: ErrorCode.NOT_IMPLEMENTED });
    return 0;
  }
  const started = await pollTriggers({
    state: deps.triggerState, blobs: deps.blobs, start: deps.start, renderer: deps.renderer, report: reportTo(deps.log),
    context: { globals: deps.context?.globals ?? {}, envs: deps.context?.envs ?? {} }, env: deps.env ?? {}, triggers: pollingTriggers,
    executionState: async (id) => (await deps.loadExecution(id))?.state.current,
  }, targets, now);
  return realtime + started.length;
}

/** Each RealtimeTrigger reads its group for the window, one after the other; one failing is reported and the others still run. */
async function drainRealtime(deps: TriggerDeps, targets: readonly KafkaTarget[]): Promise<number> {
  let started = 0;
  const report = reportTo(deps.log);
  for (const target of targets) {
    const where = { flow: flowKey(target.flow.namespace, target.flow.id), trigger: target.trigger.id };
    try {
      started += await drainKafkaTrigger({
        start: deps.start, renderer: deps.renderer, report, context: deps.context, source: deps.kafkaSource ?? kafkaRealtimeSource,
      }, target, deps.realtimeWindowMs);
    } catch (err) {
      const error = toErrorData(err);
      report({ level: 'ERROR', ...where, message: `Kafka trigger ${where.trigger} of ${where.flow} cannot read: ${error.message}`, error });
    }
  }
  return started;
}

/** What the executor calls for each ended execution: Flow triggers that match start their flows. */
export function onExecutionEnded(deps: TriggerDeps, registry: CloudTriggerRegistry): (effect: EffectOf<'ExecutionEnded'>) => Promise<void> {
  return async (effect) => {
    const index = (await registry.get()).flowIndex;
    const ended = { id: effect.executionId, namespace: effect.namespace, flowId: effect.flowId, flowRevision: effect.flowRevision, state: effect.state };
    if (index.candidates(ended).length === 0) return;
    if (!deps.triggerState) {
      deps.log.warn(`Flow triggers after execution ${effect.executionId} not evaluated: no trigger state store is configured (NOT_IMPLEMENTED)`,
        { executionId: effect.executionId, namespace: effect.namespace, flowId: effect.flowId }, { code: ErrorCode.NOT_IMPLEMENTED });
      return;
    }
    await evaluateFlowTriggers({
      index, state: deps.triggerState, renderer: deps.renderer, loadExecution: deps.loadExecution, start: deps.start,
      report: reportTo(deps.log), context: deps.context,
    }, ended, deps.clock.now());
  };
}

/** The data of a `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent. */
const MessagePublished = z.object({
  source: z.string().optional(),
  data: z.object({
    message: z.object({
      data: z.string().optional(),
      attributes: z.record(z.string(), z.string()).nullish(),
      messageId: z.string().optional(),
      message_id: z.string().optional(),
      publishTime: z.string().optional(),
      publish_time: z.string().optional(),
    }),
    subscription: z.string().optional(),
  }),
});

/** `projects/{p}/topics/{t}` from a CloudEvent source `//pubsub.googleapis.com/projects/{p}/topics/{t}`. */
export function topicOf(source: string | undefined): string | undefined {
  const m = /projects\/[^/]+\/topics\/[^/?]+/.exec(source ?? '');
  return m?.[0];
}

export function decodePubSubEvent(event: unknown, now: Date): { topic: string; message: PubSubMessage } {
  const parsed = MessagePublished.safeParse(event);
  if (!parsed.success) throw new AloftError(ErrorCode.MESSAGE_INVALID, `not a Pub/Sub messagePublished event: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const topic = topicOf(parsed.data.source);
  if (!topic) throw new AloftError(ErrorCode.MESSAGE_INVALID, `the event source ${parsed.data.source ?? '(none)'} names no topic`);
  const m = parsed.data.data.message;
  const messageId = m.messageId ?? m.message_id;
  if (!messageId) throw new AloftError(ErrorCode.MESSAGE_INVALID, 'the message has no id');
  return {
    topic,
    message: {
      data: Buffer.from(m.data ?? '', 'base64'), attributes: { ...(m.attributes ?? {}) }, messageId,
      publishTime: m.publishTime ?? m.publish_time ?? now.toISOString(),
    },
  };
}

const fullTopic = (t: PubSubTarget, projectId: string): string =>
  t.trigger.topic.startsWith('projects/') ? t.trigger.topic : `projects/${t.trigger.projectId ?? projectId}/topics/${t.trigger.topic}`;

export interface PubSubTriggerOutcome {
  topic: string;
  outcomes: Array<{ flow: string; trigger: string; status: PubSubOutcome['status'] }>;
}

/**
 * One message on a user topic: each enabled PubSub trigger on that topic starts its flow (once per
 * message id). A message no trigger can use is dead-lettered with the reasons.
 */
export async function handlePubSubTriggerEvent(
  deps: TriggerDeps, registry: CloudTriggerRegistry, deadLetter: (letter: DeadLetter) => Promise<void>, event: unknown,
): Promise<PubSubTriggerOutcome> {
  let decoded: { topic: string; message: PubSubMessage };
  try {
    decoded = decodePubSubEvent(event, deps.clock.now());
  } catch (err) {
    const reason = toErrorData(err).message;
    deps.log.error('pubsub-trigger: message refused and dead-lettered', err);
    await deadLetter({ group: 'pubsub-trigger', reason, data: JSON.stringify((event as { data?: unknown })?.data ?? null) });
    return { topic: '', outcomes: [] };
  }
  const { topic, message } = decoded;
  const targets = (await registry.get()).pubSubTargets().filter((t) => fullTopic(t, deps.projectId) === topic);
  if (targets.length === 0) {
    deps.log.warn(`pubsub-trigger: no enabled PubSub trigger listens on ${topic}; message ${message.messageId} acknowledged`, {}, { topic });
    return { topic, outcomes: [] };
  }
  const outcomes: PubSubTriggerOutcome['outcomes'] = [];
  const rejected: string[] = [];
  for (const target of targets) {
    const flow = flowKey(target.flow.namespace, target.flow.id);
    const outcome = await handlePubSubMessage({ start: deps.start, renderer: deps.renderer }, target, message);
    outcomes.push({ flow, trigger: target.trigger.id, status: outcome.status });
    if (outcome.status === 'rejected') {
      rejected.push(outcome.error.message);
      reportTo(deps.log)({ level: 'ERROR', flow, trigger: target.trigger.id, message: outcome.error.message, error: outcome.error });
    } else if (outcome.status === 'started') {
      deps.log.info(`pubsub-trigger: message ${message.messageId} started execution ${outcome.execution.id}`,
        { executionId: outcome.execution.id, namespace: target.flow.namespace, flowId: target.flow.id });
    }
  }
  if (rejected.length > 0 && rejected.length === targets.length) {
    await deadLetter({ group: 'pubsub-trigger', reason: rejected.join('; '), data: message.data.toString('base64'), attributes: { ...message.attributes, topic } });
  }
  return { topic, outcomes };
}
