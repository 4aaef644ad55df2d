// `executor` (Eventarc: google.cloud.firestore.document.v1.created, or .written, on executions/{executionId}/inbox/{eventId}):
// folds the execution's pending events through the engine and publishes the effects. A thrown error
// answers 500, so the event is delivered again; lib/runtime/cloud/executor.ts throws only retryable ones.
import * as functions from '@google-cloud/functions-framework';
import { cloud } from '../lib/wiring/cloud-entry';
import { quietRetry } from '../lib/runtime/cloud/retry';
import { outsideDomain } from '../lib/runtime/cloud/outside-domain';

functions.cloudEvent('executor', async (event: unknown) => {
  try {
    await outsideDomain(() => cloud().executor(event));
  } catch (err) {
    throw quietRetry(err);
  }
});
