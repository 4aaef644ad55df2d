// `worker-<group>` (Pub/Sub push on aloft-worker-<group>): one function per plugin group of
// functions/manifest.ts. The names are literals so that deploy tooling can read them without loading
// the code; test/unit/infra checks them against the manifest. A thrown error answers 500 and Pub/Sub
// delivers the message again; lib/runtime/cloud-worker.ts throws only retryable ones.
import * as functions from '@google-cloud/functions-framework';
import type { PluginGroup } from '../lib/model/catalog';
import { cloud } from '../lib/runtime/cloud-entry';
import { quietRetry } from '../lib/runtime/cloud-retry';
import { outsideDomain } from '../lib/runtime/outside-domain';

const worker = (group: PluginGroup) => async (event: unknown): Promise<void> => {
  try {
    await outsideDomain(() => cloud().worker(group, event));
  } catch (err) {
    throw quietRetry(err);
  }
};

functions.cloudEvent('workerCore', worker('core'));
functions.cloudEvent('workerScripts', worker('scripts'));
functions.cloudEvent('workerJdbc', worker('jdbc'));
functions.cloudEvent('workerKafka', worker('kafka'));
functions.cloudEvent('workerSinger', worker('singer'));
functions.cloudEvent('workerGcp', worker('gcp'));
functions.cloudEvent('workerSerdes', worker('serdes'));
