// bench:cloud-floor — what the emulators alone cost per task of bench:cloud's chain, with none of
// Aloft's code and no functions: E chains of T steps, each step the I/O the cloud path cannot skip.
//   1. the "executor" publishes the task to a topic;
//   2. a streaming-pull "worker" receives it, claims it (one create) and writes its result event
//      (one create under executions/{id}/inbox/), then acknowledges the message;
//   3. the Firestore emulator pushes the inbox document's `created` event to a receiver, which answers
//      at once (as Eventarc accepts it) and then runs the fold: a transaction that reads the header
//      and the event, writes the header, marks the event consumed and creates an outbox entry;
//      after the commit it publishes the next task and deletes the outbox entry.
// It prints tasks_per_s and each process's CPU per task: the ceiling of bench:cloud on this machine.
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Firestore } from '@google-cloud/firestore';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { startFirestoreEmulator, startPubSubEmulator } from '../lib/dev/emulators';
import { registerFirestoreTrigger } from '../lib/dev/admin';
import { decodeInboxWrite } from '../lib/runtime/cloud/firestore-event';
import { cpuOf } from './stats';

const E = Number(process.env.E ?? 400);
const T = Number(process.env.T ?? 10);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
/** GROUP=1: the single-document writes go through a BulkWriter flushed every tick (group commit), as the adapters do. */
const GROUP = process.env.GROUP === '1';
/** Chains run first and reported apart, as in bench:cloud: the emulators' JVMs start cold for each run. */
const WARMUP = Number(process.env.WARMUP ?? 200);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-floor-'));
  const project = `floor-${process.pid}`;
  let pushes = 0;
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      pushes++;
      const body = Buffer.concat(chunks);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('ce-')).map(([k, v]) => [k.slice(3), v]));
      const write = decodeInboxWrite({ ...headers, data: body.toString('utf8') });
      void onResult(write.executionId, write.eventKey);
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  const port = (receiver.address() as { port: number }).port;
  const [firestore, pubsubEmulator] = await Promise.all([
    startFirestoreEmulator({ dir, functionsPort: port }), startPubSubEmulator({ dir }),
  ]);
  const db = new Firestore({ projectId: project, host: firestore.host, ssl: false, customHeaders: { Authorization: 'Bearer owner' } });
  const pubsub = new PubSub({ projectId: project, apiEndpoint: pubsubEmulator.host, emulatorMode: true });
  let onResult: (executionId: string, key: string) => Promise<void> = async () => undefined;
  try {
    await registerFirestoreTrigger(firestore.host, project, 'inbox', 'executions/{executionId}/inbox/{eventId}');
    const [topic] = await pubsub.createTopic('tasks');
    topic.setPublishOptions({ batching: { maxMessages: 100, maxMilliseconds: 5 } });
    const [sub] = await topic.createSubscription('tasks-sub', { ackDeadlineSeconds: 600 });
    const done = new Map<string, () => void>();
    const step = new Map<string, number>();

    const bulk = db.bulkWriter({ throttling: false });
    let flushing = false;
    const grouped = <R>(write: (w: typeof bulk) => Promise<R>): Promise<R> => {
      const out = write(bulk);
      if (!flushing) {
        flushing = true;
        setImmediate(() => { flushing = false; void bulk.flush(); });
      }
      return out;
    };
    const create = (path: string, data: Record<string, unknown>): Promise<unknown> =>
      GROUP ? grouped((w) => w.create(db.doc(path), data)) : db.doc(path).create(data);
    const remove = (path: string): Promise<unknown> => (GROUP ? grouped((w) => w.delete(db.doc(path))) : db.doc(path).delete());

    const worker = async (m: Message): Promise<void> => {
      const { executionId, n } = JSON.parse(m.data.toString()) as { executionId: string; n: number };
      await create(`attempts/${executionId}-${n}`, { executionId, n, state: 'RUNNING' });
      await create(`executions/${executionId}/inbox/result-${n}`, { key: `result-${n}`, consumed: false, value: `v${n}` });
      m.ack();
    };
    sub.setOptions({ flowControl: { maxMessages: CONCURRENCY, allowExcessMessages: false } });
    sub.on('message', (m: Message) => { void worker(m).catch((err) => { console.error(err); m.nack(); }); });

    onResult = async (executionId, key) => {
      const header = db.doc(`executions/${executionId}`);
      const event = header.collection('inbox').doc(key);
      const next = await db.runTransaction(async (tx) => {
        const [h, ev] = await tx.getAll(header, event);
        if (!ev.exists || ev.get('consumed') !== false) return -1;
        const n = (h.get('done') as number) + 1;
        tx.set(header, { done: n, version: n });
        tx.update(event, { consumed: true });
        tx.create(db.doc(`outbox/${executionId}-${n}`), { executionId, n });
        return n;
      });
      if (next < 0) return;
      if (next < T) await topic.publishMessage({ json: { executionId, n: next } });
      await remove(`outbox/${executionId}-${next}`);
      step.set(executionId, next);
      if (next >= T) done.get(executionId)?.();
    };

    const pids = { firestore: firestore.service.pid, pubsub: pubsubEmulator.service.pid };
    const burst = async (prefix: string, n: number) => {
      const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
      await Promise.all(ids.map((id) => db.doc(`executions/${id}`).set({ done: 0, version: 0 })));
      const cpu0 = { node: process.cpuUsage(), firestore: cpuOf(pids.firestore), pubsub: cpuOf(pids.pubsub) };
      const t0 = performance.now();
      await Promise.all(ids.map((id) => new Promise<void>((resolve) => {
        done.set(id, resolve);
        void topic.publishMessage({ json: { executionId: id, n: 0 } });
      })));
      const wall = (performance.now() - t0) / 1000;
      const tasks = n * T;
      const node = process.cpuUsage(cpu0.node);
      const ms = (s: number): number => +((s * 1000) / tasks).toFixed(2);
      return {
        tasks, wall_s: +wall.toFixed(3), tasks_per_s: Math.round(tasks / wall),
        cpu_ms_per_task: {
          node: ms((node.user + node.system) / 1e6), firestore_emulator: ms(cpuOf(pids.firestore) - cpu0.firestore), pubsub_emulator: ms(cpuOf(pids.pubsub) - cpu0.pubsub),
        },
      };
    };
    const warmup = WARMUP > 0 ? { executions: WARMUP, ...(await burst('w', WARMUP)) } : undefined;
    const load0 = loadavg()[0];
    const measured = await burst('e', E);
    console.log(JSON.stringify({
      bench: 'cloud-floor', group_commit: GROUP, executions: E, tasks_per_execution: T, ...measured,
      trigger_pushes: pushes, load_avg_1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
      ...(warmup ? { warmup } : {}),
    }));
    await sub.close();
    await bulk.close();
  } finally {
    await pubsub.close().catch(() => undefined);
    await db.terminate().catch(() => undefined);
    await Promise.all([firestore.service.stop(), pubsubEmulator.service.stop()]);
    receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
