// bench:kafka — produces RECORDS JSON records (default 1,000,000) from an internal-storage row file
// to TOPICS topics, then consumes them all back into storage, on a librdkafka mock cluster this script
// starts (in a child process, with the client's own librdkafka) and stops. Prints one JSON line per
// phase with records/s, the peak RSS and the V8 heap's. Not a test: figures go into notes, never into assertions.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { kafkaTasks } from '../lib/plugins/kafka';
import { fakeTaskContext } from '../lib/worker/testing';

const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
/**
 * The mock keeps at most 5 MB of log per partition (rdkafka_mock.c, rd_kafka_mock_partition_init)
 * and drops older batches beyond it; it creates a topic with 4 partitions and has no CreateTopics
 * handler, so the records are spread over several topics (32 partitions, 160 MB) to be all held.
 */
const TOPICS = 8;
/** Produce's linger.ms (see below). */
const LINGER_MS = process.env.LINGER_MS ?? '100';
/** Consume's pollDuration: the phase ends with one empty poll this long. */
const POLL_SECONDS = 1;
/**
 * The records' keys are KEY_PREFIX and the record's number: `k0`… by default. V8's JSON.parse
 * internalizes string values of up to 10 characters, which then live until its next full collection;
 * a longer prefix (`KEY_PREFIX=key-0000000-`) takes the keys out of that.
 */
const KEY_PREFIX = process.env.KEY_PREFIX ?? 'k';
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);
const gc = (globalThis as { gc?: () => void }).gc;

/**
 * A mock cluster of the client's own librdkafka (2.15), in a child process so that its broker threads
 * do not count in this process's CPU seconds; it lives as long as the child's client. The child prints
 * the bootstrap address librdkafka logs, and leaves when its stdin ends.
 */
const MOCK = `
const { Producer } = require('@confluentinc/kafka-javascript');
const p = new Producer({ 'bootstrap.servers': '127.0.0.1:1', 'test.mock.num.brokers': 3, event_cb: true, log_level: 6 });
p.on('event.log', (e) => { const m = /replaced with ([0-9.:,]+)/.exec(e.message); if (m) process.stdout.write(m[1] + '\\n'); });
p.connect({}, () => undefined);
process.stdin.on('end', () => p.disconnect(() => process.exit(0))).resume();
`;

async function mockCluster(): Promise<{ bootstrap: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', MOCK], { stdio: ['pipe', 'pipe', 'inherit'] });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^([0-9.:,]+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the mock cluster's process exited (${code})`)));
  });
  return { bootstrap, stop: () => { child.stdin.end(); } };
}

async function phase<T>(name: string, records: number, work: () => Promise<T>, fixedWaitSeconds = 0): Promise<T> {
  // With --expose-gc (npm run bench:kafka), each phase starts from a collected heap: what the bench did
  // before it (writing the row file, the previous phase) is not counted in its peaks.
  gc?.();
  const start = process.memoryUsage();
  const peak = { rss: start.rss, heapUsed: start.heapUsed, external: start.external };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.external = Math.max(peak.external, m.external);
  };
  const timer = setInterval(sample, 50);
  const began = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = await work();
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  // CPU seconds of this process: on a shared machine, wall time says as much about the neighbours.
  const used = process.cpuUsage(cpu);
  const cpuSeconds = Math.round((used.user + used.system) / 1e5) / 10;
  clearInterval(timer);
  sample();
  // What the phase left live: the heap after a full collection.
  gc?.();
  const heapAfter = gc ? { heapUsedAfterGcMb: mb(process.memoryUsage().heapUsed) } : {};
  // The final empty poll is a wait Consume's semantics fix (pollDuration); the rate without it is the reading's.
  const withoutFinalPoll = fixedWaitSeconds > 0 ? { recordsPerSecondWithoutFinalPoll: Math.round(records / (seconds - fixedWaitSeconds)) } : {};
  console.log(JSON.stringify({
    bench: 'kafka', phase: name, records, seconds: Math.round(seconds * 10) / 10, recordsPerSecond: Math.round(records / seconds), ...withoutFinalPoll, cpuSeconds,
    peakRssMb: mb(peak.rss), startRssMb: mb(start.rss), startHeapUsedMb: mb(start.heapUsed), peakHeapUsedMb: mb(peak.heapUsed), peakExternalMb: mb(peak.external), ...heapAfter,
    loadAverage: Math.round(loadavg()[0] * 10) / 10,
  }));
  return out;
}

async function main(): Promise<void> {
  const run = Date.now();
  const topics = Array.from({ length: TOPICS }, (_, i) => `bench-${run}-${i}`);
  const cluster = await mockCluster();
  const world = await fakeTaskContext({ taskId: 'bench' });
  try {
    const def = (name: string) => kafkaTasks.find((t) => t.type === `io.kestra.plugin.kafka.${name}`)!;
    const properties = { 'bootstrap.servers': cluster.bootstrap };
    async function* rows(): AsyncGenerator<unknown> {
      for (let i = 0; i < RECORDS; i++) yield { topic: topics[i % TOPICS], key: `${KEY_PREFIX}${i}`, value: { id: i, name: `user-${i}`, amount: i * 1.25, active: i % 2 === 0 } };
    }
    const { uri } = await world.ctx.storage.writeRows('records.jsonl', rows());

    // The mock answers a fetch with one producer batch per partition, where a broker sends up to
    // max.partition.fetch.bytes (1 MB): batches of linger.ms's default 5 ms (about 15 records a
    // partition here) would make the consume phase measure the mock's round trips. 100 ms makes
    // batches of a few hundred records. No transaction (Produce's default is one): the targets
    // are for plain producing, and the figures in docs/plugins-kafka.md were measured without one.
    const produced = await phase('produce', RECORDS, async () => def('Produce').run(world.ctx, def('Produce').properties.parse({
      properties: { ...properties, 'linger.ms': LINGER_MS }, topic: topics[0], from: uri, keySerializer: 'STRING', valueSerializer: 'JSON', transactional: false,
    })));
    // What the cluster holds, counted from its watermarks: all of it, unless the mock dropped some.
    const { topicWatermarks } = await import('../lib/plugins/kafka/client');
    let held = 0;
    for (const topic of topics) held += (await topicWatermarks(properties, topic)).reduce((n, p) => n + p.high - p.low, 0);
    // The consume phase includes connecting and one empty poll (pollDuration) at the end.
    const consumed = await phase('consume', held, async () => def('Consume').run(world.ctx, def('Consume').properties.parse({
      properties, topic: topics, valueDeserializer: 'JSON', pollDuration: `PT${POLL_SECONDS}S`,
    })), POLL_SECONDS);
    if (produced.messagesCount !== RECORDS || held !== RECORDS || consumed.messagesCount !== held) {
      throw new Error(`produced ${produced.messagesCount} of ${RECORDS}, the cluster holds ${held}, consumed ${consumed.messagesCount}`);
    }
  } finally {
    await world.cleanup();
    cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
