// Event delivery of the emulated cloud. Both emulators can push, but only one request at a time (the
// Firestore emulator's triggers) or two (a Pub/Sub emulator push subscription), measured on this
// machine; Eventarc and Pub/Sub push deliver with as much concurrency as the functions' instances
// allow. So by default the emulated cloud delivers the way the real services do, itself:
//   - EventarcRelay: the Firestore emulator posts its document CloudEvents here; each is forwarded
//     unchanged to the executor function, many at once, and retried with backoff on a failure (as
//     Eventarc retries), after which the scheduler's sweep is the safety net;
//   - PushDelivery: streams a push subscription's messages from the Pub/Sub emulator (the client
//     library's streaming pull) and POSTs each to the subscription's push endpoint in the push format,
//     many at once. A 2xx acknowledges it; anything else nacks it after the subscription's retry
//     backoff, and the emulator applies the dead-letter policy (the delivery attempt counts toward
//     maxDeliveryAttempts).
// `delivery: 'emulators'` in startEmulatedCloud keeps the emulators' own (slow) pushes instead.
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPubSub, pubsubLib } from '../adapters/gcp/clients';

export type DeliveryLog = (severity: 'WARNING' | 'ERROR', message: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs a body and reads the answer's status, on kept-alive connections. node:http rather than fetch:
 * this runs once per task in the process that hosts the functions, and fetch's streams cost about
 * twice as much CPU per request (measured with --cpu-prof under bench:cloud).
 */
function post(agent: Agent, url: string, headers: Record<string, string>, body: Buffer | string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

const keptAlive = (sockets: number): Agent => new Agent({ keepAlive: true, maxSockets: sockets });

/** Runs at most `limit` tasks at once; the rest wait in order. */
class Lanes {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async run(task: () => Promise<void>): Promise<void> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  get busy(): number {
    return this.active + this.waiting.length;
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface RelayOptions {
  /** The executor function's URL. */
  target: string;
  /** Requests in flight to the target. Default 64. */
  concurrency?: number;
  /** Deliveries of one event before it is given up (logged). Default 8: about four minutes of backoff. */
  maxAttempts?: number;
  /** Every Nth event is delivered twice, as Eventarc's at-least-once delivery may (chaos runs). */
  duplicateEvery?: number;
  log: DeliveryLog;
}

export class EventarcRelay {
  private server?: Server;
  private readonly lanes: Lanes;
  private readonly agent: Agent;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private received = 0;

  constructor(private readonly opts: RelayOptions) {
    this.lanes = new Lanes(opts.concurrency ?? 64);
    this.agent = keptAlive(opts.concurrency ?? 64);
  }

  /** Listens on 127.0.0.1:port (the port the Firestore emulator was told to push to). */
  async listen(port: number): Promise<number> {
    this.server = createServer((req, res) => {
      void readAll(req).then((body) => {
        // Accepted at once, as Eventarc accepts the event from Firestore; delivery happens next.
        res.writeHead(204);
        res.end();
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) {
          if (typeof v === 'string' && (k.startsWith('ce-') || k === 'content-type')) headers[k] = v;
        }
        const twice = this.opts.duplicateEvery !== undefined && ++this.received % this.opts.duplicateEvery === 0;
        for (let n = twice ? 2 : 1; n > 0; n--) {
          const delivery = this.lanes.run(() => this.deliver(req.url ?? '/', headers, body));
          this.inFlight.add(delivery);
          void delivery.finally(() => this.inFlight.delete(delivery));
        }
      }, () => undefined); // A request cut off mid-body (the emulator stopping) got no 204: nothing was accepted.
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  private async deliver(path: string, headers: Record<string, string>, body: Buffer): Promise<void> {
    const max = this.opts.maxAttempts ?? 8;
    for (let attempt = 1; !this.stopped; attempt++) {
      let problem: string;
      try {
        const status = await post(this.agent, `${this.opts.target}${path}`, headers, body);
        if (status >= 200 && status < 300) return;
        problem = `HTTP ${status}`;
      } catch (err) {
        problem = (err as Error).message;
      }
      if (attempt >= max) {
        this.opts.log('ERROR', `eventarc relay: event ${headers['ce-id'] ?? ''} on ${headers['ce-subject'] ?? ''} given up after ${attempt} deliveries (${problem}); the scheduler's sweep folds it`);
        return;
      }
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 60_000));
    }
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.server) {
      const server = this.server;
      this.server = undefined;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.allSettled([...this.inFlight]);
    this.agent.destroy();
  }
}

export interface PushDeliveryOptions {
  /** host:port of the Pub/Sub emulator. */
  host: string;
  projectId: string;
  subscription: string;
  pushEndpoint: string;
  /** Messages in flight (the client's flow control). Default 64. */
  concurrency?: number;
  /** The subscription's retry policy, in ms. */
  minimumBackoffMs: number;
  maximumBackoffMs: number;
  log: DeliveryLog;
  /** Every Nth message is pushed twice, as Pub/Sub's at-least-once delivery may (chaos runs). */
  duplicateEvery?: number;
}

// Only lib/adapters/gcp imports the client library, so its types are reached through createPubSub.
type PubSubClient = ReturnType<typeof createPubSub>;
type StreamingSubscription = ReturnType<PubSubClient['subscription']>;
/** What a delivery uses of a received message. */
interface Received {
  id: string;
  data: Buffer;
  attributes: Record<string, string>;
  publishTime: { toISOString(): string };
  /** 0 when the subscription has no dead-letter policy. */
  deliveryAttempt: number;
  ack(): void;
  nack(): void;
}

/**
 * A push subscription's deliveries, on the client library's streaming pull: the emulator streams
 * messages as they are published (no polling), and acknowledgements leave in batches. A message waiting
 * out its retry backoff keeps its place in flow control until it is nacked, as a push subscription
 * would not; with few failures that costs nothing.
 */
export class PushDelivery {
  private client?: PubSubClient;
  private sub?: StreamingSubscription;
  private stopped = false;
  private readonly timers = new Map<NodeJS.Timeout, Received>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly agent: Agent;
  private received = 0;

  constructor(private readonly opts: PushDeliveryOptions) {
    this.agent = keptAlive(opts.concurrency ?? 64);
  }

  start(): void {
    // The client takes this emulator from apiEndpoint, before PUBSUB_EMULATOR_HOST.
    this.client = createPubSub({ projectId: this.opts.projectId, pubsubEmulatorHost: this.opts.host });
    const { Duration } = pubsubLib();
    this.sub = this.client.subscription(this.opts.subscription, {
      flowControl: { maxMessages: this.opts.concurrency ?? 64, allowExcessMessages: false },
      // One stream carries all a subscription's messages here; the default five cost the emulator CPU.
      streamingOptions: { maxStreams: 1 },
      // Deliveries end within a function's timeout; a long lease means few lease extensions.
      minAckDeadline: Duration.from({ seconds: 60 }),
      maxAckDeadline: Duration.from({ seconds: 600 }),
    });
    this.sub.on('message', (m: Received) => {
      if (this.stopped) return void m.nack();
      const p = this.push(m).finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    });
    this.sub.on('error', (err: Error) => {
      if (!this.stopped) this.opts.log('WARNING', `push delivery ${this.opts.subscription}: ${err.message}`);
    });
  }

  private async push(m: Received): Promise<void> {
    const attempt = m.deliveryAttempt > 0 ? m.deliveryAttempt : undefined;
    const publishTime = m.publishTime.toISOString();
    const attributes = m.attributes ?? {};
    const body = JSON.stringify({
      message: {
        data: m.data.toString('base64'), ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        messageId: m.id, publishTime, message_id: m.id, publish_time: publishTime,
      },
      subscription: `projects/${this.opts.projectId}/subscriptions/${this.opts.subscription}`,
      ...(attempt ? { deliveryAttempt: attempt } : {}),
    });
    let ok = false;
    const twice = this.opts.duplicateEvery !== undefined && ++this.received % this.opts.duplicateEvery === 0;
    try {
      const pushes = [post(this.agent, this.opts.pushEndpoint, { 'content-type': 'application/json' }, body)];
      // The duplicate goes at the same time, as a redelivery racing the first delivery would.
      if (twice) pushes.push(post(this.agent, this.opts.pushEndpoint, { 'content-type': 'application/json' }, body).catch(() => 0));
      const status = await pushes[0];
      if (twice) await pushes[1];
      ok = status >= 200 && status < 300;
    } catch {
      ok = false;
    }
    if (this.stopped) return void (ok ? m.ack() : m.nack());
    if (ok) return void m.ack();
    // Available again after the retry policy's backoff, as a push subscription would retry it; the nack
    // counts toward the dead-letter policy's maxDeliveryAttempts.
    const backoff = Math.min(this.opts.minimumBackoffMs * 2 ** ((attempt ?? 1) - 1), this.opts.maximumBackoffMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      m.nack();
    }, backoff);
    this.timers.set(timer, m);
  }

  /** Waits for the pushes in flight, then closes the subscription (which flushes their acks) and the client. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const [t, m] of this.timers) {
      clearTimeout(t);
      m.nack();
    }
    this.timers.clear();
    await Promise.allSettled([...this.inFlight]);
    await this.sub?.close().catch(() => undefined);
    await this.client?.close().catch(() => undefined);
    this.agent.destroy();
  }
}

/** "10s", "1.5s" -> ms. */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d);
  if (!m) throw new Error(`not a duration in seconds: ${d}`);
  return Math.round(Number(m[1]) * 1000);
}
