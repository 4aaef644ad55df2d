// `api` (HTTP): the Kestra-compatible REST API (flows, executions, logs, files, webhooks), served by
// the shared router (lib/api) over the GCP adapters. The runtime is built on the first request.
import * as functions from '@google-cloud/functions-framework';
import { cloud } from '../lib/wiring/cloud-entry';
import { outsideDomain } from '../lib/runtime/cloud/outside-domain';

functions.http('api', (req, res) => outsideDomain(() => cloud().api(req, res)));
