// Routes for logs, storage downloads and webhooks.
import { Readable } from 'node:stream';
import { z } from 'zod';
import { LogLevel } from '../../ports/log-store';
import { Access } from '../auth';
import { readBody } from '../http';
import { executionJson } from '../json';
import { parseWith, type Ctx, type Route } from '../route';
import { ExecutionJson, LogLines } from '../response-schemas';

const LogQuery = z.object({ taskRunId: z.string().optional(), minLevel: LogLevel.optional() });

function* jsonArray(items: readonly unknown[]): Generator<string> {
  yield '[';
  for (let i = 0; i < items.length; i++) yield (i === 0 ? '' : ',') + JSON.stringify(items[i]);
  yield ']';
}

async function webhook(cx: Ctx) {
  const body = cx.req.method === 'GET' ? undefined : await readBody(cx.req, cx.limits.webhookBodyBytes);
  const parameters: Record<string, string[]> = {};
  for (const key of new Set(cx.query.keys())) parameters[key] = cx.query.getAll(key);
  const out = await cx.service.triggers.webhook(cx.params.namespace, cx.params.flowId, cx.params.key, {
    method: cx.req.method ?? 'GET', ...(body && body.length > 0 ? { body } : {}), headers: cx.req.headers, parameters,
  });
  // Kestra: 200 with the execution when one started, 204 when the conditions did not hold.
  return out.status === 'started' ? { status: 200, json: executionJson(out.execution) } : { status: 204 };
}

const webhookRoute = (method: 'GET' | 'POST' | 'PUT'): Route => ({
  method, path: '/api/v1/executions/webhook/{namespace}/{flowId}/{key}', operationId: `webhook${method[0]}${method.slice(1).toLowerCase()}`, tag: 'Webhooks',
  access: Access.WEBHOOK, summary: `Start the flow through its Webhook trigger (${method})`, reply: ExecutionJson,
  ...(method === 'GET' ? {} : { body: { 'application/json': 'text', 'text/plain': 'text' } as const }),
  responses: {
    200: 'the new execution (`id`)', 204: 'the trigger conditions do not hold', 404: 'no such flow or key (the same answer for both)',
    413: 'the body is larger than the webhook limit (1 MiB by default)',
  },
  handle: webhook,
});

const logsRoute: Route = {
  method: 'GET', path: '/api/v1/logs/{executionId}', operationId: 'executionLogs', reply: LogLines, tag: 'Logs', access: Access.READ,
  summary: 'The logs of an execution, or of one of its task runs',
  query: {
    taskRunId: { type: 'string', description: 'only this task run' },
    minLevel: { type: 'string', description: 'TRACE, DEBUG, INFO, WARN or ERROR: this level and above' },
  },
  responses: { 200: 'log lines in order', 404: 'no such execution' },
  async handle(cx) {
    const q = parseWith(LogQuery, Object.fromEntries(cx.query), 'query');
    const lines = await cx.service.logs.list(cx.params.executionId, q);
    // Streamed line by line: the logs of many tasks can be longer than one JavaScript string.
    return { status: 200, stream: Readable.from(jsonArray(lines)), headers: { 'content-type': 'application/json; charset=utf-8' } };
  },
};

export const logStorageWebhookRoutes: Route[] = [
  logsRoute,
  // The same logs under the execution, where a client looks first; the literal `logs` keeps it apart from
  // POST /executions/{namespace}/{flowId}, which starts an execution.
  { ...logsRoute, path: '/api/v1/executions/{executionId}/logs', operationId: 'executionLogsUnderExecution' },
  {
    method: 'GET', path: '/api/v1/executions/{executionId}/file', operationId: 'downloadFile', media: 'application/octet-stream', tag: 'Storage', access: Access.READ,
    summary: 'Download a file of an execution (its inputs and task outputs)',
    query: { path: { type: 'string', description: 'a kestra:/// URI inside the execution' } },
    responses: { 200: 'the file', 403: 'the URI is not a file of this execution', 404: 'no such execution or file' },
    async handle(cx) {
      const uri = parseWith(z.string().min(1, "the 'path' query parameter is required"), cx.query.get('path') ?? '', 'query path');
      const file = await cx.service.storage.download(cx.params.executionId, uri);
      const name = file.fileName.replace(/["\\\r\n]/g, '_');
      return { status: 200, stream: file.stream, headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` } };
    },
  },
  webhookRoute('GET'),
  webhookRoute('POST'),
  webhookRoute('PUT'),
];
