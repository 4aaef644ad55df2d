// io.kestra.plugin.kafka.Trigger as a polling trigger: each poll runs Consume in the trigger's group;
// a non-empty batch is stored under the execution it starts, which exists before the group's offsets
// are committed (a crash in between reads the batch again: at least once). The offsets are its state,
// kept by Kafka, so the trigger state holds none.
import type { PollingTrigger } from '../../triggers/polling';

export const kafkaPolling: PollingTrigger<'Kafka'> = {
  idPrefix: 'kafka-poll',
  polls: (trigger) => !trigger.realtime,
  intervalMs: (trigger) => trigger.intervalMs,
  async poll(ctx, trigger) {
    const id = ctx.executionId();
    const task = ctx.task(id);
    const { properties, serdeProperties } = trigger.consume;
    const props = {
      ...trigger.consume,
      properties: await task.render<Record<string, string>>(properties),
      ...(serdeProperties ? { serdeProperties: await task.render<Record<string, string>>(serdeProperties) } : {}),
    };
    const { consume } = await import('./consume');
    await consume(task, props, {
      beforeCommit: async (out) => {
        if (out.messagesCount > 0) await ctx.fire(id, { messagesCount: out.messagesCount, uri: out.uri });
      },
    });
    return {};
  },
};
