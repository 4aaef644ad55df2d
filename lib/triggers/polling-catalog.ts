// The polling trigger of each polling kind. Their modules load their clients (Kafka, BigQuery, Cloud
// Storage) on the first poll, so flows without such a trigger never load them.
import { bigqueryPolling } from '../plugins/gcp/bigquery/trigger';
import { gcsPolling } from '../plugins/gcp/gcs/trigger';
import { httpPolling } from '../plugins/core/http-trigger';
import { kafkaPolling } from '../plugins/kafka/poll-trigger';
import type { KafkaTriggerSource } from './kafka';
import type { PollingTriggers } from './polling';

export const pollingTriggers: PollingTriggers = { Kafka: kafkaPolling, BigQuery: bigqueryPolling, Gcs: gcsPolling, Http: httpPolling };

/** Where Kafka RealtimeTriggers read: the Kafka client, loaded on the first such trigger. */
export const kafkaRealtimeSource = async (): Promise<KafkaTriggerSource> => (await import('../plugins/kafka/trigger-source')).kafkaTriggerSource;
