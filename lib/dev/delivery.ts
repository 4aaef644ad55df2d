// Event delivery of the emulated cloud. Both emulators can push, but only one request at a time (the
// Firestore emulator's triggers) or two (a Pub/Sub emulator push subscription), measured on this
// machine; Eventarc and Pub/Sub push deliver with as much concurrency as the functions' instances
// allow. So by default the emulated cloud delivers the way the real services do, itself:
//   - EventarcRelay: the Firestore emulator posts its document CloudEvents here; each is forwarded
//     unchanged to the executor function, many at once, and retried with backoff on a failure (as
//     Eventarc retries), after which the scheduler's sweep is the safety net;
//   - PushDelivery: pulls a push subscription's messages from the Pub/Sub emulator and POSTs each to
//     the subscription's push endpoint in the push format, many at once. A 2xx acknowledges it;
//     anything else makes it available again after the subscription's retry backoff, and the emulator
//     applies the dead-letter policy (the delivery attempt counts toward maxDeliveryAttempts).
// `delivery: 'emulators'` in startEmulatedCloud keeps the emulators' own (slow) pushes instead.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type DeliveryLog = (severity: 'WARNING' | 'ERROR', message: string) => void;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
  log: DeliveryLog;
}

export class EventarcRelay {
  private server?: Server;
  private readonly lanes: Lanes;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly opts: RelayOptions) {
    this.lanes = new Lanes(opts.concurrency ?? 64);
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
        const delivery = this.lanes.run(() => this.deliver(req.url ?? '/', headers, body));
        this.inFlight.add(delivery);
        void delivery.finally(() => this.inFlight.delete(delivery));
      });
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
        const res = await fetch(`${this.opts.target}${path}`, { method: 'POST', headers, body: new Uint8Array(body) });
        await res.arrayBuffer();
        if (res.ok) return;
        problem = `HTTP ${res.status}`;
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
  }
}

export interface PushDeliveryOptions {
  /** host:port of the Pub/Sub emulator. */
  host: string;
  projectId: string;
  subscription: string;
  pushEndpoint: string;
  /** Messages in flight. Default 64. */
  concurrency?: number;
  /** The subscription's retry policy, in ms. */
  minimumBackoffMs: number;
  maximumBackoffMs: number;
  log: DeliveryLog;
}

interface Received {
  ackId: string;
  deliveryAttempt?: number;
  message: { data?: string; attributes?: Record<string, string>; messageId: string; publishTime?: string };
}

export class PushDelivery {
  private readonly lanes: Lanes;
  private stopped = false;
  private loop?: Promise<void>;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly opts: PushDeliveryOptions) {
    this.lanes = new Lanes(opts.concurrency ?? 64);
  }

  private url(verb: string): string {
    return `http://${this.opts.host}/v1/projects/${this.opts.projectId}/subscriptions/${this.opts.subscription}:${verb}`;
  }

  private async call(verb: string, body: unknown): Promise<unknown> {
    const res = await fetch(this.url(verb), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: this.abort.signal,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${verb} answered ${res.status}: ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : {};
  }

  start(): void {
    this.loop = this.pullLoop();
  }

  private async pullLoop(): Promise<void> {
    const limit = this.opts.concurrency ?? 64;
    while (!this.stopped) {
      const room = limit - this.lanes.busy;
      if (room <= 0) {
        await sleep(5);
        continue;
      }
      let received: Received[] = [];
      try {
        const got = (await this.call('pull', { maxMessages: Math.min(room, 100), returnImmediately: false })) as { receivedMessages?: Received[] };
        received = got.receivedMessages ?? [];
      } catch (err) {
        if (this.stopped) return;
        this.opts.log('WARNING', `push delivery ${this.opts.subscription}: pull failed: ${(err as Error).message}`);
        await sleep(500);
        continue;
      }
      if (received.length === 0) {
        await sleep(20);
        continue;
      }
      for (const r of received) {
        const p = this.lanes.run(() => this.push(r));
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
    }
  }

  private async push(r: Received): Promise<void> {
    const body = JSON.stringify({
      message: { ...r.message, message_id: r.message.messageId, publish_time: r.message.publishTime },
      subscription: `projects/${this.opts.projectId}/subscriptions/${this.opts.subscription}`,
      ...(r.deliveryAttempt ? { deliveryAttempt: r.deliveryAttempt } : {}),
    });
    let ok = false;
    try {
      const res = await fetch(this.opts.pushEndpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      ok = res.ok;
    } catch {
      ok = false;
    }
    if (this.stopped) return;
    if (ok) {
      await this.call('acknowledge', { ackIds: [r.ackId] }).catch((err) => this.opts.log('WARNING', `push delivery ${this.opts.subscription}: ack failed: ${(err as Error).message}`));
      return;
    }
    // Available again after the retry policy's backoff, as a push subscription would retry it.
    const backoff = Math.min(this.opts.minimumBackoffMs * 2 ** Math.max(0, (r.deliveryAttempt ?? 1) - 1), this.opts.maximumBackoffMs);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) void this.call('modifyAckDeadline', { ackIds: [r.ackId], ackDeadlineSeconds: 0 }).catch(() => undefined);
    }, backoff);
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.abort.abort();
    await this.loop?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }
}

/** "10s", "1.5s" -> ms. */
export function durationMs(d: string): number {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d);
  if (!m) throw new Error(`not a duration in seconds: ${d}`);
  return Math.round(Number(m[1]) * 1000);
}
