// Produce's transactions on a librdkafka 2.15 mock cluster (mock-cluster.ts). The mock runs the
// transaction protocol (producer id, partitions added, EndTxn writing a COMMIT or ABORT marker into
// each partition's log) but its Fetch ignores isolation.level: it answers the high watermark as the last
// stable offset and no aborted transactions (rdkafka_mock_handlers.c), so a read_committed consumer
// sees there what read_uncommitted sees.
// What a real broker hides is therefore checked here by what decides it: a marker takes an offset of
// its own, so a partition whose high watermark is above its data records holds a marker, and one
// whose offsets are all data records holds none (its transaction never ended).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeTaskContext } from '../../../lib/worker/testing';
import { topicWatermarks } from '../../../lib/plugins/kafka/client';
import { startMockCluster } from './mock-cluster';
import { describeWithKafka, kcatRead, uniqueTopic } from './service';
import { readRows, runTask } from './tasks';

jest.setTimeout(180_000);

let cluster: Awaited<ReturnType<typeof startMockCluster>>;
beforeAll(async () => { cluster = await startMockCluster(); });
afterAll(async () => { await cluster?.stop(); });
const properties = () => ({ 'bootstrap.servers': cluster.bootstrap });

const uncommitted = (topic: string) => kcatRead(topic, ['-b', cluster.bootstrap, '-X', 'isolation.level=read_uncommitted']);
/** Offsets that hold no data record: transaction markers (nothing deletes records on the mock). */
async function markers(topic: string): Promise<number> {
  const offsets = (await topicWatermarks(properties(), topic)).reduce((n, p) => n + p.high - p.low, 0);
  return offsets - (await uncommitted(topic)).length;
}

let world: Awaited<ReturnType<typeof fakeTaskContext>>;
beforeEach(async () => { world = await fakeTaskContext({ taskId: 'kafka' }); });
afterEach(async () => { await world.cleanup(); });

describeWithKafka('Produce in a Kafka transaction', () => {
  it('a Produce killed mid-file (SIGKILL) leaves its records in a transaction that never commits', async () => {
    const topic = uniqueTopic('tx-killed');
    const dir = mkdtempSync(join(tmpdir(), 'aloft-kafka-tx-'));
    const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'test/fixtures/kafka/produce-child.ts'], {
      env: { ...process.env, KAFKA_BOOTSTRAP: cluster.bootstrap, TOPIC: topic, ALOFT_TEST_DIR: dir, RECORDS: '300000' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Mid-file: some records reached the cluster (a read_uncommitted consumer sees them), and the
      // child has not ended (it would print its messagesCount).
      let seen = 0;
      while (seen === 0) {
        if (child.exitCode !== null) throw new Error(`the producing process ended before it was killed: ${output}`);
        seen = (await uncommitted(topic).catch(() => [])).length;
      }
      child.kill('SIGKILL');
      await exited;
      expect(output).not.toContain('messagesCount');
      expect((await uncommitted(topic)).length).toBeGreaterThan(0);
      // No COMMIT marker: a read_committed consumer on a broker that applies isolation sees none of them.
      expect(await markers(topic)).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a record that fails midway aborts the transaction: the records sent before it get an ABORT marker', async () => {
    const topic = uniqueTopic('tx-failed');
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ key: `k${i}`, value: i === 9_000 ? 'not a number' : i }));
    const { uri } = await world.ctx.storage.writeRows('records.jsonl', rows);
    await expect(runTask(world.ctx, 'Produce', { properties: properties(), topic, from: uri, keySerializer: 'STRING', valueSerializer: 'LONG', transactional: true }))
      .rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/^line 9001 of kestra:\/\/.*: the value does not fit LONG/) });
    const sent = (await uncommitted(topic)).length;
    // Nothing from the failing line on; how many of the 9,000 before it left before the abort depends
    // on the machine's speed (all 9,000 in one run at a load average of 11).
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThanOrEqual(9_000);
    expect(await markers(topic)).toBeGreaterThan(0);
  });

  it('without a transaction, the records sent before a failing one stay on the topic', async () => {
    const topic = uniqueTopic('no-tx-failed');
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ key: `k${i}`, value: i === 9_000 ? 'not a number' : i }));
    const { uri } = await world.ctx.storage.writeRows('records.jsonl', rows);
    await expect(runTask(world.ctx, 'Produce', { properties: properties(), topic, from: uri, keySerializer: 'STRING', valueSerializer: 'LONG', transactional: false }))
      .rejects.toMatchObject({ code: 'TASK_FAILED' });
    expect((await uncommitted(topic)).length).toBeGreaterThan(0);
    expect(await markers(topic)).toBe(0);
  });

  it('a Produce that does not say `transactional` writes in a transaction, as Kestra 1.x: its records get a COMMIT marker', async () => {
    const topic = uniqueTopic('tx-default');
    const from = Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: { n: i } }));
    expect(await runTask(world.ctx, 'Produce', { properties: properties(), topic, from, keySerializer: 'STRING', valueSerializer: 'JSON' })).toEqual({ messagesCount: 20 });
    expect((await uncommitted(topic)).length).toBe(20);
    expect(await markers(topic)).toBeGreaterThan(0);
  });

  it('a transaction that ends commits every record, which Consume (read_committed) then reads', async () => {
    const topic = uniqueTopic('tx-ok');
    const from = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: { n: i }, headers: { source: 'aloft' } }));
    expect(await runTask(world.ctx, 'Produce', { properties: properties(), topic, from, keySerializer: 'STRING', valueSerializer: 'JSON', transactional: true })).toEqual({ messagesCount: 50 });
    expect((await uncommitted(topic)).length).toBe(50);
    expect(await markers(topic)).toBeGreaterThan(0);
    const read = await runTask(world.ctx, 'Consume', { properties: properties(), topic, valueDeserializer: 'JSON', pollDuration: 'PT2S' });
    expect(read.messagesCount).toBe(50);
    expect((await readRows(world.ctx, read.uri)).map((r) => (r.value as { n: number }).n).sort((a, b) => a - b)).toEqual(from.map((r) => r.value.n));
  });
});
