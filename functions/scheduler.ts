// `scheduler` (HTTP, Cloud Scheduler every minute): republishes the outbox, recovers lost attempts,
// fires due wake-ups and Schedule triggers, and folds executions nobody is folding.
import * as functions from '@google-cloud/functions-framework';
import { HTTP_HANDLERS } from '../lib/wiring/handlers';

functions.http('scheduler', HTTP_HANDLERS.scheduler);
