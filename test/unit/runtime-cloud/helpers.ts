// In-memory stand-ins for the cloud runtime's adapters, and CloudEvents as the emulators send them,
// so the handlers can be driven without services. The GCP adapters themselves are tested on the
// emulators (test/integration, test/e2e/cloud-*).
import { Root } from 'protobufjs';
import {
  FolderBlobStore, MemoryAttemptLedger, MemoryAttemptStops, MemoryExecutionLease, MemoryFlowDependencyStore, MemoryFlowRepository, MemoryLogStore, MemoryStateStore, MemoryWakeUpStore,
} from '../../../lib/adapters/local';
import { MemoryTriggerStateStore } from '../../../lib/adapters/local/trigger-state';
import { WorkerTask } from '../../../lib/model/worker-messages';
import type { PluginGroup } from '../../../lib/model/catalog';
import type { Clock, Subscription } from '../../../lib/ports';
import type { LoneTaskQueue } from '../../../lib/runtime/cloud/lone-events';
import type { StrandedExecutions, WakeUpRecord } from '../../../lib/ports/cloud-control';
import type { DeadLetter } from '../../../lib/ports/task-queue';
import type { CloudAdapters } from '../../../lib/runtime/cloud/deps';
import type { DecodedWorkerMessage } from '../../../lib/runtime/cloud/worker';
import { FIRESTORE_DATA_PROTO } from '../../../lib/runtime/cloud/protos/firestore-data';
import { tempDir } from '../../helpers/temp-dirs';

/** Reports the executions a test names, once each. */
export class ListedStranded implements StrandedExecutions {
  ids: string[] = [];
  async find(): Promise<string[]> { return this.ids.splice(0); }
}

/** A worker task as published, with the transport's lone hint beside it (pushEvent sends it as the attribute). */
export type PublishedTask = WorkerTask & { alone?: true };

/** A TaskQueue that keeps what is published; tests deliver by hand. */
export class RecordingQueue implements LoneTaskQueue {
  readonly published: PublishedTask[] = [];
  async publish(task: WorkerTask, hints?: { alone?: boolean }): Promise<void> {
    this.published.push({ ...WorkerTask.parse(task), ...(hints?.alone ? { alone: true as const } : {}) });
  }
  async subscribe(_group: PluginGroup): Promise<Subscription> { return { close: async () => undefined }; }
  take(): PublishedTask[] { return this.published.splice(0); }
}

/** A worker message as functions-framework hands a Pub/Sub push over: a messagePublished CloudEvent. */
export function pushEvent(payload: unknown, attributes: Record<string, string> = {}, topic = 'projects/p/topics/aloft-worker-core'): unknown {
  if (payload && typeof payload === 'object' && (payload as PublishedTask).alone) {
    const { alone: _alone, ...task } = payload as PublishedTask;
    return pushEvent(task, { ...attributes, alone: 'true' }, topic);
  }
  const data = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64');
  return {
    specversion: '1.0', id: 'm1', type: 'google.cloud.pubsub.topic.v1.messagePublished', source: `//pubsub.googleapis.com/${topic}`,
    data: { message: { data, attributes, messageId: 'm1', publishTime: '2024-01-01T00:00:00.000Z' }, subscription: 'projects/p/subscriptions/s' },
  };
}

/** Test decoding: JSON of a WorkerTask in the message data. */
export function decodeTestMessage(event: unknown): DecodedWorkerMessage {
  const message = (event as { data: { message: { data: string; attributes?: Record<string, string>; messageId: string } } }).data.message;
  const text = Buffer.from(message.data, 'base64').toString('utf8');
  try {
    const parsed = WorkerTask.safeParse(JSON.parse(text));
    if (parsed.success) return { ok: true, task: parsed.data, messageId: message.messageId, alone: message.attributes?.alone === 'true' };
    return { ok: false, reason: `not a worker task: ${parsed.error.issues[0]?.message}`, data: text, attributes: message.attributes, messageId: message.messageId };
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}`, data: text, attributes: message.attributes, messageId: message.messageId };
  }
}

export interface MemoryAdapters extends CloudAdapters {
  store: MemoryStateStore;
  flowRepo: MemoryFlowRepository;
  ledger: MemoryAttemptLedger;
  logs: MemoryLogStore;
  queue: RecordingQueue;
  lease: MemoryExecutionLease;
  wakeUpStore: MemoryWakeUpStore;
  stops: MemoryAttemptStops;
  stranded: ListedStranded;
  deadLetters: DeadLetter[];
}

export function memoryAdapters(opts: { triggerState?: boolean } = {}): MemoryAdapters {
  const deadLetters: DeadLetter[] = [];
  return {
    store: new MemoryStateStore(), flowRepo: new MemoryFlowRepository(), flowDependencies: new MemoryFlowDependencyStore(), ledger: new MemoryAttemptLedger(), logs: new MemoryLogStore(),
    blobs: new FolderBlobStore({ root: tempDir('aloft-cloud-unit-') }),
    queue: new RecordingQueue(), secrets: { get: async () => undefined }, lease: new MemoryExecutionLease(), wakeUpStore: new MemoryWakeUpStore(),
    stops: new MemoryAttemptStops(), stranded: new ListedStranded(),
    ...(opts.triggerState ? { triggerState: new MemoryTriggerStateStore() } : {}),
    deadLetters,
    deadLetter: async (letter) => { deadLetters.push(letter); },
    decodeWorkerMessage: decodeTestMessage,
    close: async () => undefined,
  };
}

/** Every stored wake-up, due or not, earliest first. */
export const allWakeUps = (a: MemoryAdapters): Promise<WakeUpRecord[]> => a.wakeUpStore.due(new Date(8.64e15), Number.MAX_SAFE_INTEGER);

export class TestClock implements Clock {
  constructor(public ms = Date.parse('2024-03-14T10:00:00.000Z')) {}
  now(): Date { return new Date(this.ms); }
  advance(ms: number): void { this.ms += ms; }
}

let counter = 0;
export const testIds = { next: () => `id${++counter}` };

const eventType = () => Root.fromJSON(FIRESTORE_DATA_PROTO).lookupType('google.events.cloud.firestore.v1.DocumentEventData');

/** The Firestore emulator's CloudEvent for a write of executions/{id}/inbox/{key}: protobuf as base64 text. */
export function inboxEvent(
  executionId: string, key: string, change: 'created' | 'updated' | 'deleted' = 'created', prefix = '', opts: { alone?: boolean } = {},
): unknown {
  const name = `projects/p/databases/(default)/documents/${prefix}executions/${executionId}/inbox/${key}`;
  const doc = (consumed: boolean) => ({
    name, fields: { key: { stringValue: key }, consumed: { booleanValue: consumed }, ...(opts.alone ? { alone: { booleanValue: true } } : {}) },
  });
  const type = eventType();
  const message = type.fromObject({
    ...(change !== 'deleted' ? { value: doc(change === 'updated') } : {}),
    ...(change !== 'created' ? { oldValue: doc(false) } : {}),
  });
  return {
    specversion: '1.0', id: `ev-${key}-${change}`, type: 'google.cloud.firestore.document.v1.written',
    source: '//firestore.googleapis.com/projects/projects/p/databases/(default)', subject: `documents/${prefix}executions/${executionId}/inbox/${key}`,
    data: Buffer.from(Buffer.from(type.encode(message).finish()).toString('base64')),
  };
}

/** Collects structured log lines. */
export function logLines(): { lines: Array<Record<string, unknown>>; sink: (l: Record<string, unknown>) => void } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, sink: (l) => lines.push(l) };
}

export interface Harness {
  rt: import('../../../lib/wiring/cloud-runtime').CloudRuntime;
  adapters: MemoryAdapters;
  clock: TestClock;
  log: ReturnType<typeof logLines>;
  deploy(yaml: string): Promise<import('../../../lib/model/flow').Flow>;
  start(flow: import('../../../lib/model/flow').Flow, inputs?: Record<string, unknown>): Promise<import('../../../lib/model/execution').Execution>;
  /** Executor on the execution, then every published task through its worker, until nothing is left. */
  drive(executionId: string, maxRounds?: number): Promise<import('../../../lib/model/execution').Execution>;
}

export async function harness(opts: {
  env?: Record<string, string>; catalog?: import('../../../lib/plugins/catalog').PluginCatalog; triggerState?: boolean; clock?: TestClock;
} = {}): Promise<Harness> {
  const { CloudRuntime } = await import('../../../lib/wiring/cloud-runtime');
  const { deployFlowSource } = await import('../../../lib/runtime/core/deploy');
  const { cloudActions } = await import('../../../lib/wiring/cloud-api-service');
  const adapters = memoryAdapters({ triggerState: opts.triggerState });
  const clock = opts.clock ?? new TestClock();
  const log = logLines();
  const rt = new CloudRuntime({
    env: { GOOGLE_CLOUD_PROJECT: 'unit', ALOFT_TEMP_DIR: tempDir('aloft-cloud-unit-tmp-'), ...opts.env },
    adapters: () => adapters, clock, ids: testIds, catalog: opts.catalog, logSink: log.sink,
  });
  const h: Harness = {
    rt, adapters, clock, log,
    deploy: async (yaml) => (await deployFlowSource({ repo: adapters.flowRepo, catalog: rt.deps.catalog, clock }, yaml)).flow,
    start: (flow, inputs) => cloudActions({ store: adapters.store, flows: rt.deps.flows, blobs: adapters.blobs, clock, ids: testIds }).start({ flow, inputs }),
    async drive(executionId, maxRounds = 50) {
      for (let round = 0; round < maxRounds; round++) {
        if (await adapters.store.hasPending(executionId)) await rt.executor(inboxEvent(executionId, `round${round}`));
        const tasks = adapters.queue.take();
        for (const t of tasks) await rt.worker(t.group as PluginGroup, pushEvent(t));
        if (tasks.length === 0 && !(await adapters.store.hasPending(executionId))) break;
      }
      return (await adapters.store.get(executionId))!;
    },
  };
  return h;
}
