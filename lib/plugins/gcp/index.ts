// The runnable task types of the `gcp` plugin group: BigQuery (./bigquery), Cloud Storage (./gcs), Pub/Sub (./pubsub), Firestore
// (./firestore), and CustomJob, still a
// placeholder: real property schemas (./vertexai.ts) so flows validate, and a `run` that fails with
// NOT_IMPLEMENTED.
import { TaskStatus } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import { bigqueryTasks } from './bigquery';
import { firestoreTasks } from './firestore';
import { gcsTasks } from './gcs';
import { pubsubTasks } from './pubsub';
import { CustomJobOutputs, CustomJobProperties } from './vertexai';

export const CustomJob: RunnableTaskDefinition<CustomJobProperties, CustomJobOutputs> = {
  type: 'io.kestra.plugin.gcp.vertexai.CustomJob',
  aliases: [],
  group: 'gcp',
  status: TaskStatus.validatesOnly,
  properties: CustomJobProperties,
  outputs: CustomJobOutputs,
  run: async () => {
    throw new AloftError(ErrorCode.NOT_IMPLEMENTED, 'io.kestra.plugin.gcp.vertexai.CustomJob is not implemented yet');
  },
};

export const gcpTasks: readonly RunnableTaskDefinition[] = [CustomJob, ...bigqueryTasks, ...gcsTasks, ...pubsubTasks, ...firestoreTasks];
