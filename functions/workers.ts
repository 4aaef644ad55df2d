// `worker-<group>` (Pub/Sub push on aloft-worker-<group>): one function per plugin group of
// functions/manifest.ts. The names are literals so that deploy tooling can read them without loading
// the code; test/unit/infra checks them against the manifest. A thrown error answers 500 and Pub/Sub
// delivers the message again; lib/runtime/cloud/worker.ts throws only retryable ones.
import * as functions from '@google-cloud/functions-framework';
import { EVENT_HANDLERS } from '../lib/wiring/handlers';

functions.cloudEvent('workerCore', EVENT_HANDLERS.workerCore);
functions.cloudEvent('workerScripts', EVENT_HANDLERS.workerScripts);
functions.cloudEvent('workerJdbc', EVENT_HANDLERS.workerJdbc);
functions.cloudEvent('workerKafka', EVENT_HANDLERS.workerKafka);
functions.cloudEvent('workerSinger', EVENT_HANDLERS.workerSinger);
functions.cloudEvent('workerGcp', EVENT_HANDLERS.workerGcp);
functions.cloudEvent('workerSerdes', EVENT_HANDLERS.workerSerdes);
