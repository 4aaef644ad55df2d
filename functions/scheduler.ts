// `scheduler` (HTTP, Cloud Scheduler every minute): republishes the outbox, recovers lost attempts,
// fires due wake-ups and Schedule triggers, and folds executions nobody is folding.
import * as functions from '@google-cloud/functions-framework';
import { cloud } from '../lib/wiring/cloud-entry';
import { outsideDomain } from '../lib/runtime/cloud/outside-domain';

functions.http('scheduler', (req, res) => outsideDomain(() => cloud().scheduler(req, res)));
