// `api` (HTTP): the Kestra-compatible REST API (flows, executions, logs, files, webhooks), served by
// the shared router (lib/api) over the GCP adapters. The runtime is built on the first request.
import * as functions from '@google-cloud/functions-framework';
import { HTTP_HANDLERS } from '../lib/wiring/handlers';

functions.http('api', HTTP_HANDLERS.api);
