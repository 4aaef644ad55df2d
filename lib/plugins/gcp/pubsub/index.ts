// The Pub/Sub task types of the `gcp` plugin group (io.kestra.plugin.gcp.pubsub.*).
import type { RunnableTaskDefinition } from '../../types';
import { ConsumeOutputs, ConsumeProperties, consume } from './consume';
import { PublishOutputs, PublishProperties, publish } from './publish';

export const pubsubTasks: readonly RunnableTaskDefinition[] = [
  { type: 'io.kestra.plugin.gcp.pubsub.Publish', aliases: [], group: 'gcp', properties: PublishProperties, outputs: PublishOutputs, run: (ctx, p) => publish(ctx, p) },
  { type: 'io.kestra.plugin.gcp.pubsub.Consume', aliases: [], group: 'gcp', properties: ConsumeProperties, outputs: ConsumeOutputs, run: (ctx, p) => consume(ctx, p) },
];
