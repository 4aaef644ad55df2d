// Pub/Sub triggers of `aloft server` on the Pub/Sub emulator: the GCP subscriber behind the server's
// PubSubTriggerSource. Loaded only when PUBSUB_EMULATOR_HOST is set: the Google client is heavy and
// most servers have no Pub/Sub trigger.
import type { PubSubSourceFactory } from './local-server';

export const emulatorPubSubSource: PubSubSourceFactory = async (emulatorHost, onError) => {
  const { createPubSubTriggerSource } = await import('../adapters/gcp/pubsub-trigger-source');
  return createPubSubTriggerSource({ emulatorHost, onError });
};
