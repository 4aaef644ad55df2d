// `pubsubTrigger` (Pub/Sub push from the user's topics): starts one execution per message for each
// flow whose PubSub trigger listens on the message's topic (lib/triggers/pubsub.ts).
import * as functions from '@google-cloud/functions-framework';
import { cloud } from '../lib/wiring/cloud-entry';
import { quietRetry } from '../lib/runtime/cloud/retry';
import { outsideDomain } from '../lib/runtime/cloud/outside-domain';

functions.cloudEvent('pubsubTrigger', async (event: unknown) => {
  try {
    await outsideDomain(() => cloud().pubsubTrigger(event));
  } catch (err) {
    throw quietRetry(err);
  }
});
