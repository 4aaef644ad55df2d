// `worker-<group>` (Pub/Sub push on aloft-worker-<group>): one function per plugin group of
// functions/manifest.ts. The names are literals so that deploy tooling can read them without loading
// the code; test/unit/infra checks them against the manifest. A thrown error answers 500 and Pub/Sub
// delivers the message again; lib/runtime/cloud/worker.ts throws only retryable ones.
import * as functions from '@google-cloud/functions-framework';
import type { PluginGroup } from '../lib/model/catalog';
import { cloud } from '../lib/wiring/cloud-entry';
import { quietRetry } from '../lib/runtime/cloud/retry';
import { outsideDomain } from '../lib/runtime/cloud/outside-domain';

/**
 * `ownCode`: the group runs only our code (core tasks), so it leaves functions-framework's domain for
 * speed (lib/runtime/cloud/outside-domain.ts). Groups that run drivers and client libraries keep the domain,
 * which turns an error one of them throws from a callback into a 500 for that request rather than a
 * crash of every request the instance is serving.
 */
const worker = (group: PluginGroup, ownCode = false) => async (event: unknown): Promise<void> => {
  try {
    await (ownCode ? outsideDomain(() => cloud().worker(group, event)) : cloud().worker(group, event));
  } catch (err) {
    throw quietRetry(err);
  }
};

functions.cloudEvent('workerCore', worker('core', true));
functions.cloudEvent('workerScripts', worker('scripts'));
functions.cloudEvent('workerJdbc', worker('jdbc'));
functions.cloudEvent('workerKafka', worker('kafka'));
functions.cloudEvent('workerSinger', worker('singer'));
functions.cloudEvent('workerGcp', worker('gcp'));
functions.cloudEvent('workerSerdes', worker('serdes'));
