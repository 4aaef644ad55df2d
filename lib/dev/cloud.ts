// The emulated cloud: the Firestore, Pub/Sub and Storage emulators, every function of
// functions/manifest.ts served through functions-framework, and the wiring infra/ declares (the
// executor's Firestore trigger on the inbox pattern; per consumer a topic, a push subscription with a
// retry and dead-letter policy, a dead-letter topic and its pull subscription), all on 127.0.0.1.
// A loop calls the scheduler function the way Cloud Scheduler does, only more often.
// `aloft dev` runs it; tests and benchmarks start their own, isolated by project id.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXECUTOR_DOCUMENT, FUNCTIONS, FUNCTION_NODE_OPTIONS, TriggerKind, type FunctionSpec } from '../wiring/manifest';
import type { PluginCatalog } from '../plugins/catalog';
import type { CloudAdapters, HandledInvocation } from '../runtime/cloud/deps';
import { configureCloud, closeCloud } from '../wiring/cloud-entry';
import { EXECUTOR_DEAD_LETTER_TOPIC } from '../wiring/gcp-adapters';
import type { LogSink } from '../runtime/cloud/log';
import type { SchedulerReport } from '../runtime/cloud/scheduler';
import { PubSubAdmin, createBucket, registerFirestoreTrigger, type PushSubscription } from './admin';
import { durationMs } from './delivery';
import { startDeliveryProcess, type DeliveryProcess, type PushPlan } from './delivery-process';
import { startFirestoreEmulator, startPubSubEmulator, startStorageEmulator, type Emulator } from './emulators';
import { serveInChild, serveInProcess, type ChildHost, type FunctionHost } from './function-hosts';
import { reservePort, type ReservedPort } from './processes';

export interface PushPolicy {
  minimumBackoff: string;
  maximumBackoff: string;
  maxDeliveryAttempts: number;
}

/** infra/'s defaults (variables.tf). */
export const INFRA_PUSH_POLICY: PushPolicy = { minimumBackoff: '10s', maximumBackoff: '300s', maxDeliveryAttempts: 10 };

export interface EmulatedCloudOptions {
  /** Default: a fresh `aloft-dev-…` id, so that several emulated clouds never share state. */
  projectId?: string;
  bucket?: string;
  /** Environment of the functions, over the defaults below (emulator hosts are always set). */
  env?: Record<string, string>;
  /** Functions served in this process only: a catalog with test task types. */
  catalog?: PluginCatalog;
  /** Functions served in this process only: where their structured logs go (default stdout). */
  logSink?: LogSink;
  /** Functions served in this process only: wraps the adapters (benchmarks count operations). */
  instrument?(adapters: CloudAdapters): CloudAdapters;
  /** Functions served in this process only: called after each invocation. */
  onHandled?(handled: HandledInvocation): void;
  /** Manifest names of functions served in child processes, which `kill()` and `restart()` then work on. */
  isolate?: readonly string[];
  /** How often the scheduler function is called; 0 never (call `tick()`). Default 2000 ms. */
  schedulerIntervalMs?: number;
  /** Port of the api function (0 or absent: a free one). */
  apiPort?: number;
  /** Folder for logs and emulator data, kept after stop(). Default: a new folder under the OS temp dir, removed by stop(). */
  dir?: string;
  /** Retry and dead-letter policy of the push subscriptions. Default: infra/'s. */
  pushPolicy?: PushPolicy;
  /** A second push subscription on every worker topic: Pub/Sub then delivers every worker task twice. */
  duplicateWorkerDeliveries?: boolean;
  /** With the relay: every Nth Firestore event and Nth message of each push subscription is delivered twice (10: 10%). */
  duplicateEvery?: number;
  /** User topics whose messages go to pubsubTrigger (infra's `pubsub_trigger_topics`). */
  pubsubTriggerTopics?: readonly string[];
  /**
   * Who delivers events to the functions. `relay` (default): this process, as concurrently as Eventarc
   * and Pub/Sub push do (lib/dev/delivery.ts). `emulators`: the emulators' own pushes, which deliver
   * one or two requests at a time.
   */
  delivery?: 'relay' | 'emulators';
  /**
   * Requests in flight with `delivery: 'relay'`, as the platform's instances x concurrency would allow
   * (infra: 50 x 20 for both). `executor` (default 64): every in-process executor request is a Firestore
   * transaction, and more at once here only contend (256 measured slower in bench:cloud, lag p99 2.6 s).
   * `push` (default 256), per push subscription: a worker request lasts as long as its task, so its
   * concurrency bounds the tasks a topic runs at once (64 held bench:cloud's chains about 1 s each in Pub/Sub).
   */
  deliveryConcurrency?: { executor?: number; push?: number };
  /** JVM options of the emulators, after EMULATOR_JVM_FLAGS (lib/dev/emulators.ts); default a heap limit. */
  firestoreJavaOpts?: string[];
  pubsubJavaOpts?: string[];
}

export interface EmulatedCloud {
  apiUrl: string;
  projectId: string;
  bucket: string;
  dir: string;
  /** The functions' environment (emulator hosts, project, bucket, knobs). */
  env: Record<string, string>;
  /** Function name (manifest) -> its URL. */
  urls: Record<string, string>;
  emulators: { firestore: Emulator; pubsub: Emulator; storage: Emulator };
  /** The process that plays Eventarc and Pub/Sub push (absent with `delivery: 'emulators'`). */
  delivery?: DeliveryProcess;
  pubsub: PubSubAdmin;
  /** Topic name (or `executor`, which consumes none) -> its dead-letter pull subscription. */
  deadLetterSubscription(topic: string): string;
  /** One scheduler invocation, through the scheduler function. */
  tick(): Promise<SchedulerReport>;
  /** SIGKILL an isolated function's process. */
  kill(name: string): Promise<void>;
  /** Starts an isolated function again on the same port. */
  restart(name: string): Promise<void>;
  /** Stops everything this started, by PID. */
  stop(): Promise<void>;
}

/** Defaults of the functions' knobs in the emulated cloud: recovery in seconds, not minutes. */
const DEV_ENV: Record<string, string> = {
  // No Secret Manager emulator exists: secrets come from SECRET_<NAME> variables (base64), as locally.
  ALOFT_SECRETS: 'env',
  ALOFT_LEASE_MS: '30000',
  ALOFT_HEARTBEAT_MS: '5000',
  ALOFT_LOST_AFTER_MS: '30000',
  ALOFT_OUTBOX_REPUBLISH_MS: '10000',
  ALOFT_SWEEP_AFTER_MS: '5000',
  ALOFT_STOP_POLL_MS: '2000',
  // As deployed; it takes effect in functions run in their own process (`isolate`), not in this one.
  NODE_OPTIONS: FUNCTION_NODE_OPTIONS,
};

const EMULATOR_VARS = ['FIRESTORE_EMULATOR_HOST', 'PUBSUB_EMULATOR_HOST', 'STORAGE_EMULATOR_HOST'] as const;
const pushSubscriptionName = (topic: string): string => `${topic}-push`;
const deadLetterName = (topic: string): string => `${topic}-dead-letter`;
const shortHash = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 12);

export async function startEmulatedCloud(opts: EmulatedCloudOptions = {}): Promise<EmulatedCloud> {
  const projectId = opts.projectId ?? `aloft-dev-${randomUUID().slice(0, 8)}`;
  const bucket = opts.bucket ?? `${projectId}-data`;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'aloft-dev-'));
  mkdirSync(dir, { recursive: true });
  const ownDir = opts.dir === undefined;
  const isolate = new Set(opts.isolate ?? []);
  for (const name of isolate) if (!FUNCTIONS.some((f) => f.name === name)) throw new Error(`isolate: ${name} is not in functions/manifest.ts`);

  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async (): Promise<void> => {
    for (const s of stoppers.splice(0).reverse()) await s().catch(() => undefined);
    // A folder this made under the OS temp dir goes too; a folder the caller named keeps the logs.
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The Firestore emulator pushes executor events to one fixed host:port, chosen before it starts, and
    // push subscriptions name their endpoints: every function's port is held from now until it binds it.
    const ports = new Map<string, ReservedPort>();
    for (const f of FUNCTIONS) {
      ports.set(f.name, f.name === 'api' && opts.apiPort ? { port: opts.apiPort, release: async () => undefined } : await reservePort());
    }
    const relayMode = (opts.delivery ?? 'relay') === 'relay';
    const relayPort = relayMode ? await reservePort() : undefined;
    stoppers.push(async () => { for (const p of [...ports.values(), ...(relayPort ? [relayPort] : [])]) await p.release(); });
    const triggerPort = relayPort?.port ?? ports.get('executor')!.port;
    const started = await Promise.allSettled([
      startFirestoreEmulator({ dir, functionsPort: triggerPort, javaOpts: opts.firestoreJavaOpts }),
      startPubSubEmulator({ dir, javaOpts: opts.pubsubJavaOpts }),
      startStorageEmulator({ dir, projectId }),
    ]);
    for (const s of started) if (s.status === 'fulfilled') stoppers.push(() => s.value.service.stop());
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [firestore, pubsubEmulator, storage] = started.map((s) => (s as PromiseFulfilledResult<Emulator>).value);

    const env: Record<string, string> = {
      ...DEV_ENV,
      ALOFT_TEMP_DIR: join(dir, 'tmp'),
      ...opts.env,
      GOOGLE_CLOUD_PROJECT: projectId,
      ALOFT_BUCKET: bucket,
      FIRESTORE_EMULATOR_HOST: firestore.host,
      PUBSUB_EMULATOR_HOST: pubsubEmulator.host,
      STORAGE_EMULATOR_HOST: storage.host,
      METADATA_SERVER_DETECTION: 'none',
    };
    const collectionPrefix = env.ALOFT_COLLECTION_PREFIX ?? '';
    const topicPrefix = env.ALOFT_TOPIC_PREFIX ?? '';
    // The Google clients of in-process functions read this from process.env, not from the injected env.
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    // They also prefer the emulator hosts in process.env to the options they are given, so a shell or a
    // test run that exports other emulators' hosts would split this cloud's files and messages between
    // emulators. In-process functions see this cloud's hosts there while it runs; stop() puts them back.
    const shadowed = EMULATOR_VARS.map((name) => [name, process.env[name]] as const);
    for (const name of EMULATOR_VARS) process.env[name] = env[name];
    stoppers.push(async () => {
      for (const [name, value] of shadowed) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    await createBucket(storage.host, projectId, bucket);
    await configureCloud({ env, catalog: opts.catalog, logSink: opts.logSink, instrument: opts.instrument, onHandled: opts.onHandled });
    stoppers.push(() => closeCloud());

    const hosts = new Map<string, FunctionHost>();
    const startHost = async (spec: FunctionSpec): Promise<FunctionHost> => {
      const reserved = ports.get(spec.name)!;
      await reserved.release();
      const port = reserved.port;
      const host = isolate.has(spec.name) ? await serveInChild(spec, port, env, dir) : await serveInProcess(spec, port);
      hosts.set(spec.name, host);
      return host;
    };
    stoppers.push(async () => { for (const h of hosts.values()) await h.stop().catch(() => undefined); });
    await Promise.all(FUNCTIONS.map(startHost));

    // Wiring, as infra/ declares it (eventarc.tf, pubsub.tf).
    const deliveryLog = (severity: 'WARNING' | 'ERROR', message: string): void =>
      opts.logSink?.({ severity, message, component: 'delivery', time: new Date().toISOString() });
    const pubsub = new PubSubAdmin(pubsubEmulator.host, projectId);
    await registerFirestoreTrigger(firestore.host, projectId, 'executor', `${collectionPrefix}${EXECUTOR_DOCUMENT}`);
    const policy = opts.pushPolicy ?? INFRA_PUSH_POLICY;
    // With the relay, the push subscriptions are pull subscriptions that the delivery process pushes from.
    const pushes: PushPlan[] = [];
    const subscribe = async (s: PushSubscription & { pushEndpoint: string }): Promise<void> => {
      if (!relayMode) return pubsub.createPushSubscription(s);
      await pubsub.createPushSubscription({ ...s, pushEndpoint: undefined });
      pushes.push({
        host: pubsubEmulator.host, projectId, subscription: s.name, pushEndpoint: s.pushEndpoint, concurrency: opts.deliveryConcurrency?.push ?? 256,
        ...(opts.duplicateEvery ? { duplicateEvery: opts.duplicateEvery } : {}),
        minimumBackoffMs: durationMs(s.minimumBackoff), maximumBackoffMs: durationMs(s.maximumBackoff),
      });
    };
    for (const fn of FUNCTIONS.filter((f) => f.trigger === TriggerKind.pubsub && f.topic)) {
      const topic = `${topicPrefix}${fn.topic}`;
      const dlq = deadLetterName(topic);
      await pubsub.createTopic(topic);
      await pubsub.createTopic(dlq);
      await pubsub.createPullSubscription(dlq, dlq);
      const url = hosts.get(fn.name)!.url;
      const sub = {
        topic, pushEndpoint: `${url}/projects/${projectId}/topics/${topic}`, deadLetterTopic: dlq, ackDeadlineSeconds: 600, ...policy,
      };
      await subscribe({ ...sub, name: pushSubscriptionName(topic) });
      if (opts.duplicateWorkerDeliveries && fn.group) await subscribe({ ...sub, name: `${topic}-push-twice` });
    }
    // The executor publishes the Firestore events it cannot read here itself (no subscription's policy does).
    const executorDeadLetters = `${topicPrefix}${EXECUTOR_DEAD_LETTER_TOPIC}`;
    await pubsub.createTopic(executorDeadLetters);
    await pubsub.createPullSubscription(executorDeadLetters, executorDeadLetters);
    const trigger = hosts.get('pubsub-trigger')!;
    for (const userTopic of opts.pubsubTriggerTopics ?? []) {
      const full = userTopic.startsWith('projects/') ? userTopic : pubsub.topicId(userTopic);
      const short = full.split('/').pop()!;
      await pubsub.createTopic(short);
      await subscribe({
        name: `${topicPrefix}aloft-pubsub-trigger-${shortHash(full)}`, topic: short, pushEndpoint: `${trigger.url}/${full}`,
        deadLetterTopic: deadLetterName(`${topicPrefix}aloft-pubsub-trigger`), ackDeadlineSeconds: 600, ...policy,
      });
    }

    let delivery: DeliveryProcess | undefined;
    if (relayPort) {
      await relayPort.release();
      delivery = await startDeliveryProcess({
        relay: {
          port: relayPort.port, target: hosts.get('executor')!.url, concurrency: opts.deliveryConcurrency?.executor ?? 64,
          ...(opts.duplicateEvery ? { duplicateEvery: opts.duplicateEvery } : {}),
        },
        pushes,
      }, dir, deliveryLog);
      const started = delivery;
      stoppers.push(() => started.stop(30_000));
    }

    const schedulerUrl = hosts.get('scheduler')!.url;
    const tick = async (): Promise<SchedulerReport> => {
      const res = await fetch(schedulerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      return (await res.json()) as SchedulerReport;
    };
    const interval = opts.schedulerIntervalMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let ticking: Promise<unknown> = Promise.resolve();
    if (interval > 0) {
      const loop = (): void => {
        timer = setTimeout(() => {
          ticking = tick().catch(() => undefined).finally(() => { if (!stopped) loop(); });
        }, interval);
        timer.unref?.();
      };
      loop();
      stoppers.push(async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await ticking;
      });
    }

    const child = (name: string): ChildHost => {
      const h = hosts.get(name);
      if (!h?.isolated) throw new Error(`${name} does not run in its own process: start the emulated cloud with isolate: ['${name}']`);
      return h as ChildHost;
    };
    const urls = Object.fromEntries([...hosts].map(([name, h]) => [name, h.url]));
    return {
      apiUrl: hosts.get('api')!.url, projectId, bucket, dir, env, urls, pubsub,
      emulators: { firestore, pubsub: pubsubEmulator, storage }, delivery,
      deadLetterSubscription: (topic) => (topic === 'executor' ? executorDeadLetters : deadLetterName(`${topicPrefix}${topic}`)),
      tick,
      kill: (name) => child(name).kill(),
      async restart(name) {
        const host = child(name);
        await host.stop();
        await startHost(host.spec);
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
