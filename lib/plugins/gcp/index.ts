// The runnable task types of the `gcp` plugin group: BigQuery (./bigquery), Cloud Storage (./gcs), Pub/Sub (./pubsub),
// Firestore (./firestore) and Vertex AI (./vertexai).
import type { RunnableTaskDefinition } from '../types';
import { bigqueryTasks } from './bigquery';
import { firestoreTasks } from './firestore';
import { gcsTasks } from './gcs';
import { pubsubTasks } from './pubsub';
import { CustomJob, vertexaiTasks } from './vertexai';

export { CustomJob };

export const gcpTasks: readonly RunnableTaskDefinition[] = [...vertexaiTasks, ...bigqueryTasks, ...gcsTasks, ...pubsubTasks, ...firestoreTasks];
