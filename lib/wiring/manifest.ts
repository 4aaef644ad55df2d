// The one list of deployed functions. functions/*.ts register exactly these entry points and
// infra/ declares exactly these functions; tests hold both to it.
import { PLUGIN_GROUPS, type PluginGroup } from '../model/catalog';

export const TriggerKind = { http: 'http', firestore: 'firestore', pubsub: 'pubsub' } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

export interface FunctionSpec {
  /** Deployed name, before the user's prefix: `aloft-` + name. */
  name: string;
  /** The name registered with functions-framework (`--entry-point`). */
  entryPoint: string;
  trigger: TriggerKind;
  /** pubsub: the topic (before prefix) it consumes. */
  topic?: string;
  /** firestore: the document pattern that wakes it. */
  document?: string;
  group?: PluginGroup;
}

/** Events appended to an execution's inbox wake the executor; its own writes to the header do not. */
export const EXECUTOR_DOCUMENT = 'executions/{executionId}/inbox/{eventId}';
/**
 * The Firestore events that can wake the executor. `created` is the default (infra/, deploy-gcloud.sh,
 * the emulated cloud): events are only ever created in the inbox, and `written` would also call the
 * executor when it marks an event consumed and when the TTL policy deletes it, about twice as often.
 */
export const ExecutorEventType = {
  created: 'google.cloud.firestore.document.v1.created',
  written: 'google.cloud.firestore.document.v1.written',
} as const;
export type ExecutorEventType = (typeof ExecutorEventType)[keyof typeof ExecutorEventType];
export const EXECUTOR_EVENT_TYPE: ExecutorEventType = ExecutorEventType.created;
export const workerTopic = (group: PluginGroup): string => `aloft-worker-${group}`;
export const PUBSUB_TRIGGER_TOPIC = 'aloft-pubsub-trigger';
/**
 * NODE_OPTIONS of every function (infra/, deploy-gcloud.sh, functions the emulated cloud runs in their
 * own process). A request allocates a lot for a short while (gRPC, protobuf, JSON); with V8's default
 * 16 MB semi-spaces, scavenges ran so often that bench:cloud's functions spent ~7 ms of CPU per task,
 * and 5.4 with 32 MB (64 MB of young generation, room enough in the smallest 512 MiB function).
 */
export const FUNCTION_NODE_OPTIONS = '--max-semi-space-size=32';

const camel = (group: string): string => group.charAt(0).toUpperCase() + group.slice(1);

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'api', entryPoint: 'api', trigger: TriggerKind.http },
  { name: 'executor', entryPoint: 'executor', trigger: TriggerKind.firestore, document: EXECUTOR_DOCUMENT },
  ...PLUGIN_GROUPS.map((group): FunctionSpec => ({
    name: `worker-${group}`, entryPoint: `worker${camel(group)}`, trigger: TriggerKind.pubsub, topic: workerTopic(group), group,
  })),
  { name: 'scheduler', entryPoint: 'scheduler', trigger: TriggerKind.http },
  { name: 'pubsub-trigger', entryPoint: 'pubsubTrigger', trigger: TriggerKind.pubsub, topic: PUBSUB_TRIGGER_TOPIC },
];
