// The Kafka RealtimeTrigger on `aloft server` (in-process consumer) against librdkafka's mock
// cluster: records produced by kcat start one execution each, and the group's offsets are committed
// once the executions exist, so a restarted server starts nothing twice.
import type { Execution } from '../../../lib/model/execution';
import { startServer, type Harness } from '../../e2e/server-harness';
import { committedOffsets, describeWithKafka, KAFKA_BOOTSTRAP, kcatWrite, uniqueTopic } from './service';

jest.setTimeout(180_000);

const NS = 'io.aloft.kafka';

const flow = (topic: string, group: string, extra = ''): string => `id: on-record
namespace: ${NS}
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.value.n }}"
triggers:
  - id: records
    type: io.kestra.plugin.kafka.RealtimeTrigger
    properties:
      bootstrap.servers: "{{ envs.kafka_bootstrap }}"
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${group}
    valueDeserializer: JSON
${extra}`;

async function executions(h: Harness): Promise<Execution[]> {
  return (await h.server.runtime.store.list({ namespace: NS, flowId: 'on-record', pageSize: 1000 })).executions;
}

/** Waits until `n` executions exist (jest's timeout bounds it); resolves with them. */
async function atLeast(h: Harness, n: number): Promise<Execution[]> {
  for (;;) {
    const got = await executions(h);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Records committed over all partitions (a partition without a commit answers -1). */
const sum = (offsets: number[]): number => offsets.reduce((s, o) => s + Math.max(o, 0), 0);

describeWithKafka('the Kafka RealtimeTrigger on aloft server', () => {
  let h: Harness | undefined;
  afterEach(async () => { await h?.stop(); h = undefined; });

  it('starts one execution per record for 100 records produced by kcat, with the record in trigger.*', async () => {
    const topic = uniqueTopic('realtime');
    const group = `${topic}-group`;
    h = await startServer({ env: { ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow(topic, group) })).status).toBe(200);
    await kcatWrite(topic, Array.from({ length: 100 }, (_, i) => `k${i}\t{"n": ${i}}`));
    const started = await atLeast(h, 100);
    expect(started).toHaveLength(100);
    const ended = await Promise.all(started.map((e) => h!.server.runtime.waitForEnd(e.id)));
    expect(ended.map((e) => e.state.current)).toEqual(Array(100).fill('SUCCESS'));
    expect(ended.map((e) => (e.trigger?.variables.value as { n: number }).n).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const first = ended.find((e) => (e.trigger?.variables.value as { n: number }).n === 0)!;
    expect(first.trigger).toMatchObject({
      id: 'records', type: 'io.kestra.plugin.kafka.RealtimeTrigger',
      variables: { key: 'k0', value: { n: 0 }, topic, partition: expect.any(Number), offset: expect.any(Number), timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), headers: [] },
    });
    // Every record's offset is committed once its execution exists.
    await h.stop();
    h = undefined;
    const offsets = await committedOffsets(group, topic);
    expect(sum(offsets)).toBe(100);
  });

  it('gives trigger.value a JSON number its double cannot hold as the number\'s text, which renders as its digits, the rest of the value parsed', async () => {
    const topic = uniqueTopic('realtime-exact');
    h = await startServer({ env: { ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
    const yaml = flow(topic, `${topic}-group`).replace('{{ trigger.value.n }}', '{{ trigger.value.id }}');
    expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
    await kcatWrite(topic, ['k\t{"id": 12345678901234567890, "n": 7, "ratio": 0.5}']);
    const [started] = await atLeast(h, 1);
    const ended = await h.server.runtime.waitForEnd(started.id);
    expect(ended.trigger?.variables.value).toEqual({ id: '12345678901234567890', n: 7, ratio: 0.5 });
    expect(ended.taskRunList[0].outputs).toEqual({ value: '12345678901234567890' });
  });

  it('starts nothing again on a restarted server, and reads on from the committed offsets', async () => {
    const topic = uniqueTopic('realtime-restart');
    const group = `${topic}-group`;
    h = await startServer({ env: { ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow(topic, group) })).status).toBe(200);
    await kcatWrite(topic, ['a\t{"n": 1}', 'b\t{"n": 2}']);
    await atLeast(h, 2);
    await h.stop();
    expect(sum(await committedOffsets(group, topic))).toBe(2);
    h = await startServer({ env: { ENV_KAFKA_BOOTSTRAP: KAFKA_BOOTSTRAP! } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow(topic, group) })).status).toBe(200);
    await kcatWrite(topic, ['c\t{"n": 3}']);
    // Once the group has committed all three, every record this server was given has been handled:
    // its store (a new one) holds the execution of the record produced after the restart only.
    while (sum(await committedOffsets(group, topic)) < 3) await new Promise((r) => setTimeout(r, 200));
    const got = await executions(h);
    expect(got.map((e) => (e.trigger?.variables.value as { n: number }).n)).toEqual([3]);
  });

  it('logs the trigger and flow when the broker cannot be reached, and starts nothing', async () => {
    h = await startServer({ env: { ENV_KAFKA_BOOTSTRAP: '127.0.0.1:1' } });
    expect((await h.call('POST', '/api/v1/flows', { yaml: flow('nowhere', 'nowhere-group') })).status).toBe(200);
    const line = h.logs.find((l) => String(l.message).includes('Kafka trigger records of io.aloft.kafka.on-record cannot start'));
    expect(line).toMatchObject({ severity: 'ERROR', trigger: 'records', message: expect.stringContaining('cannot consume from Kafka at 127.0.0.1:1') });
    expect(await executions(h)).toEqual([]);
  });
});
