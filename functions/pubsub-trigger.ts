// `pubsubTrigger` (Pub/Sub push from the user's topics): starts one execution per message for each
// flow whose PubSub trigger listens on the message's topic (lib/triggers/pubsub.ts).
import * as functions from '@google-cloud/functions-framework';
import { EVENT_HANDLERS } from '../lib/wiring/handlers';

functions.cloudEvent('pubsubTrigger', EVENT_HANDLERS.pubsubTrigger);
