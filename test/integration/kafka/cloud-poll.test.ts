// Kafka triggers in the cloud runtime: the `scheduler` function's Kafka step (over the in-memory
// adapters of test/unit/runtime-cloud/helpers) polls a Trigger's group against librdkafka's mock
// cluster once per interval slot and starts one execution per non-empty batch; a RealtimeTrigger's
// group is read for a window on each tick, one execution per record.
import { harness } from '../../unit/runtime-cloud/helpers';
import { committedOffsets, describeWithKafka, KAFKA_BOOTSTRAP, kcatWrite, uniqueTopic } from './service';

jest.setTimeout(180_000);

const flow = (topic: string, group: string, type = 'io.kestra.plugin.kafka.Trigger'): string => `
id: on-batch
namespace: unit.cloud
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ trigger.messagesCount }}"
triggers:
  - id: batch
    type: ${type}
    properties:
      bootstrap.servers: "${KAFKA_BOOTSTRAP}"
      auto.offset.reset: earliest
    topic: ${topic}
    groupId: ${group}
${type.endsWith('RealtimeTrigger') ? '' : '    interval: PT1M\n    pollDuration: PT2S\n'}`;

const sum = (offsets: number[]): number => offsets.reduce((s, o) => s + Math.max(o, 0), 0);

describeWithKafka('the polling Kafka Trigger in the cloud scheduler', () => {
  it('starts one execution for a batch on a tick, commits after it, and polls nothing more in the same slot', async () => {
    const topic = uniqueTopic('cloud-poll');
    const group = `${topic}-group`;
    const h = await harness({ triggerState: true });
    await h.deploy(flow(topic, group));
    await kcatWrite(topic, ['a\tone', 'b\ttwo', 'c\tthree']);
    const report = await h.rt.tick();
    expect(report).toMatchObject({ polled: 1, errors: [] });
    const [execution] = (await h.adapters.store.list({ namespace: 'unit.cloud', flowId: 'on-batch', pageSize: 10 })).executions;
    expect(execution.trigger).toMatchObject({ id: 'batch', variables: { messagesCount: 3, uri: expect.stringContaining(`/executions/${execution.id}/`) } });
    const ended = await h.drive(execution.id);
    expect(ended.state.current).toBe('SUCCESS');
    expect(sum(await committedOffsets(group, topic))).toBe(3);
    expect((await h.rt.tick()).polled).toBe(0);
  });

  it('runs a RealtimeTrigger on each tick: one execution per record with its trigger.value, offsets committed after them, nothing twice', async () => {
    const topic = uniqueTopic('cloud-realtime');
    const group = `${topic}-group`;
    const h = await harness({ triggerState: true });
    await h.deploy(flow(topic, group, 'io.kestra.plugin.kafka.RealtimeTrigger').replace('trigger.messagesCount', 'trigger.value'));
    await kcatWrite(topic, ['a\tone', 'b\ttwo', 'c\tthree']);
    expect(await h.rt.tick()).toMatchObject({ polled: 3, errors: [] });
    const { executions } = await h.adapters.store.list({ namespace: 'unit.cloud', flowId: 'on-batch', pageSize: 10 });
    expect(executions.map((e) => [e.trigger?.variables.key, e.trigger?.variables.value]).sort()).toEqual([['a', 'one'], ['b', 'two'], ['c', 'three']]);
    const ended = await h.drive(executions[0].id);
    expect(ended.state.current).toBe('SUCCESS');
    expect(sum(await committedOffsets(group, topic))).toBe(3);
    expect((await h.rt.tick()).polled).toBe(0);
    await kcatWrite(topic, ['d\tfour']);
    expect((await h.rt.tick()).polled).toBe(1);
    expect(JSON.stringify(h.log)).not.toContain('NOT_IMPLEMENTED');
  });
});
