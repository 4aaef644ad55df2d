// `scheduler` (HTTP, Cloud Scheduler every minute): republishes the outbox, recovers lost attempts,
// fires due wake-ups and Schedule triggers, and folds executions nobody is folding.
import * as functions from '@google-cloud/functions-framework';
import { cloud } from '../lib/runtime/cloud-entry';

functions.http('scheduler', (req, res) => cloud().scheduler(req, res));
