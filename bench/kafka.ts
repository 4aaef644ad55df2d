// bench:kafka — produces RECORDS JSON records (default 1,000,000) from an internal-storage row file
// to a topic, then consumes back into storage what the cluster holds (see below), on a librdkafka mock
// cluster this script starts (in a child process, with the client's own librdkafka) and stops. Prints one JSON line per phase with records/s and the
// peak RSS. Not a test: figures go into notes, never into assertions.
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { kafkaTasks } from '../lib/plugins/kafka';
import { fakeTaskContext } from '../lib/worker/testing';

const RECORDS = Number(process.env.RECORDS ?? 1_000_000);
const mb = (bytes: number): number => Math.round(bytes / 2 ** 20);

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

async function phase<T>(name: string, records: number, work: () => Promise<T>): Promise<T> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const out = await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  // CPU seconds of this process: on a shared machine, wall time says as much about the neighbours.
  const used = process.cpuUsage(cpu);
  const cpuSeconds = Math.round((used.user + used.system) / 1e5) / 10;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(JSON.stringify({ bench: 'kafka', phase: name, records, seconds: Math.round(seconds * 10) / 10, recordsPerSecond: Math.round(records / seconds), cpuSeconds, peakRssMb: mb(peak), loadAverage: Math.round(loadavg()[0] * 10) / 10 }));
  return out;
}

async function main(): Promise<void> {
  const topic = `bench-${Date.now()}`;
  const cluster = await mockCluster();
  const world = await fakeTaskContext({ taskId: 'bench' });
  try {
    const def = (name: string) => kafkaTasks.find((t) => t.type === `io.kestra.plugin.kafka.${name}`)!;
    const properties = { 'bootstrap.servers': cluster.bootstrap };
    async function* rows(): AsyncGenerator<unknown> {
      for (let i = 0; i < RECORDS; i++) yield { key: `k${i}`, value: { id: i, name: `user-${i}`, amount: i * 1.25, active: i % 2 === 0 } };
    }
    const { uri } = await world.ctx.storage.writeRows('records.jsonl', rows());

    // No transaction (Produce's default is one): the figures in docs/plugins-kafka.md were measured
    // without one, and the targets are for plain producing.
    const produced = await phase('produce', RECORDS, async () => def('Produce').run(world.ctx, def('Produce').properties.parse({
      properties, topic, from: uri, keySerializer: 'STRING', valueSerializer: 'JSON', transactional: false,
    })));
    // librdkafka's mock cluster may keep only part of a partition's log and drop older records: the
    // consume phase reads what the cluster still holds, counted from its watermarks.
    const { topicWatermarks } = await import('../lib/plugins/kafka/client');
    const held = (await topicWatermarks(properties, topic)).reduce((n, p) => n + p.high - p.low, 0);
    // The consume phase includes connecting and one empty poll (pollDuration PT1S) at the end.
    const consumed = await phase('consume', held, async () => def('Consume').run(world.ctx, def('Consume').properties.parse({
      properties, topic, valueDeserializer: 'JSON', pollDuration: 'PT1S',
    })));
    if (produced.messagesCount !== RECORDS || consumed.messagesCount !== held) {
      throw new Error(`produced ${produced.messagesCount} of ${RECORDS}, consumed ${consumed.messagesCount} of the ${held} the cluster holds`);
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
