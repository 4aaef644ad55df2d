// `executor` (Eventarc: google.cloud.firestore.document.v1.created, or .written, on executions/{executionId}/inbox/{eventId}):
// folds the execution's pending events through the engine and publishes the effects. A thrown error
// answers 500, so the event is delivered again; lib/runtime/cloud/executor.ts throws only retryable ones.
import * as functions from '@google-cloud/functions-framework';
import { EVENT_HANDLERS } from '../lib/wiring/handlers';

functions.cloudEvent('executor', EVENT_HANDLERS.executor);
