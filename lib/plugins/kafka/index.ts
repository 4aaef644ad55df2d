// The runnable task types of the `kafka` plugin group. The client loads on a task's first run only.
import type { RunnableTaskDefinition } from '../types';
import { ConsumeOutputs, ConsumeProperties, ProduceOutputs, ProduceProperties } from './properties';

export { SerdeType, ProduceProperties, ProduceOutputs, ConsumeProperties, ConsumeOutputs } from './properties';

export const Produce: RunnableTaskDefinition<ProduceProperties, ProduceOutputs> = {
  type: 'io.kestra.plugin.kafka.Produce',
  aliases: [],
  group: 'kafka',
  properties: ProduceProperties,
  outputs: ProduceOutputs,
  run: async (ctx, props) => (await import('./produce')).produce(ctx, props),
};

export const Consume: RunnableTaskDefinition<ConsumeProperties, ConsumeOutputs> = {
  type: 'io.kestra.plugin.kafka.Consume',
  aliases: [],
  group: 'kafka',
  properties: ConsumeProperties,
  outputs: ConsumeOutputs,
  run: async (ctx, props) => (await import('./consume')).consume(ctx, props),
};

export const kafkaTasks: readonly RunnableTaskDefinition[] = [Produce, Consume];
