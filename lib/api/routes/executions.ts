// /api/v1/executions: start (JSON or multipart FILE inputs), get, search, delete, kill, restart, resume, replay.
import { z } from 'zod';
import { StateSchema, type Execution } from '../../model/execution';
import { isTerminal, State } from '../../model/states';
import type { ExecutionFilter } from '../../ports/state-store';
import { Access } from '../auth';
import { contentType, parseJson, readBody } from '../http';
import { executionJson } from '../json';
import { readMultipart } from '../multipart';
import { LabelQuery, labelledPage, labelsOf } from '../label-filter';
import { notFound, parseWith, type Ctx, type Route } from '../route';
import type { StartRequestBody } from '../service';
import { ExecutionJson, ExecutionPage } from '../response-schemas';

export const StartBody = z.object({
  inputs: z.record(z.string(), z.unknown()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
}).strict();
export const ResumeBody = z.object({ inputs: z.record(z.string(), z.unknown()).optional() }).strict();


const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an ISO-8601 date' }).transform((s) => new Date(s).toISOString());

const Search = z.object({
  namespace: z.string().optional(),
  flowId: z.string().optional(),
  state: z.array(StateSchema).optional(),
  startDate: isoDate.optional(),
  endDate: isoDate.optional(),
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(1000).default(25),
  pageToken: z.string().optional(),
  labels: z.array(LabelQuery).optional(),
});

/** Inputs (and files) from a JSON body `{ inputs, labels }` or from a multipart form, plus `labels=k:v` query values. */
async function startBody(cx: Ctx, bodyKey: 'start' | 'resume'): Promise<StartRequestBody & { dispose?: () => Promise<void> }> {
  const type = contentType(cx.req);
  const labels: Record<string, string> = {};
  for (const l of cx.query.getAll('labels')) {
    const label = parseWith(LabelQuery, l, 'query labels');
    labels[label.slice(0, label.indexOf(':'))] = label.slice(label.indexOf(':') + 1);
  }
  if (type === 'multipart/form-data') {
    const form = await readMultipart(cx.req, cx.limits.uploadBytes);
    return { inputs: form.fields, files: form.files, labels, dispose: form.dispose };
  }
  const json = parseJson(await readBody(cx.req, cx.limits.bodyBytes));
  if (bodyKey === 'resume') {
    const body = parseWith(ResumeBody, json ?? {}, 'request body');
    return { inputs: body.inputs ?? {}, files: {}, labels };
  }
  const body = parseWith(StartBody, json ?? {}, 'request body');
  return { inputs: body.inputs ?? {}, files: {}, labels: { ...body.labels, ...labels } };
}

const FORM_OR_JSON = { 'application/json': StartBody, 'multipart/form-data': 'form' } as const;

const createExecution: Route = {
  method: 'POST', path: '/api/v1/executions/{namespace}/{flowId}', operationId: 'createExecution', reply: ExecutionJson, tag: 'Executions', access: Access.WRITE,
  summary: 'Start an execution of the latest revision of a flow', body: FORM_OR_JSON,
  query: {
    labels: { type: 'string', repeated: true, description: 'a label, key:value' },
    wait: { type: 'boolean', description: 'answer once the execution has ended (or paused), as Kestra does' },
  },
  responses: { 200: 'the new execution (with wait, as it ended)', 404: 'no such flow', 422: 'the inputs are not valid for the flow' },
  async handle(cx) {
    const wait = parseWith(Bool, cx.query.get('wait') ?? undefined, 'query wait') === 'true';
    const body = await startBody(cx, 'start');
    let execution: Execution;
    try {
      execution = await cx.service.executions.start(cx.params.namespace, cx.params.flowId, { inputs: body.inputs, files: body.files, labels: body.labels });
    } finally {
      await body.dispose?.();
    }
    return { status: 200, json: executionJson(wait ? await untilEnded(cx, execution) : execution) };
  },
};

const Bool = z.enum(['true', 'false']).optional();

/**
 * Polls until the execution ended or paused (a Pause without a timeout would otherwise hold the request
 * for ever), or the caller hung up. Both runtimes store executions the same way; neither pushes.
 */
async function untilEnded(cx: Ctx, started: Execution): Promise<Execution> {
  let e = started;
  for (let delay = 20; !isTerminal(e.state.current) && e.state.current !== State.PAUSED && !cx.req.socket?.destroyed; delay = Math.min(1000, delay * 2)) {
    await new Promise((r) => setTimeout(r, delay));
    e = (await cx.service.executions.get(e.id)) ?? e;
  }
  return e;
}

export const executionRoutes: Route[] = [
  createExecution,
  // Kestra 0.x's path for the same thing.
  { ...createExecution, path: '/api/v1/executions/trigger/{namespace}/{flowId}', operationId: 'createExecutionKestra0', summary: `${createExecution.summary} (Kestra 0.x path)` },
  {
    method: 'GET', path: '/api/v1/executions/search', operationId: 'searchExecutions', reply: ExecutionPage, tag: 'Executions', access: Access.READ,
    summary: 'List executions, newest first',
    query: {
      namespace: { type: 'string', description: 'only this namespace' },
      flowId: { type: 'string', description: 'only this flow' },
      state: { type: 'string', repeated: true, description: 'only these states (repeat, or separate with commas)' },
      startDate: { type: 'string', description: 'started at or after this ISO-8601 date' },
      endDate: { type: 'string', description: 'started at or before this ISO-8601 date' },
      labels: { type: 'string', repeated: true, description: 'only executions with this label, key:value (repeat: all of them); the answer then has no total' },
      page: { type: 'integer', description: 'page number, from 1' },
      size: { type: 'integer', description: 'executions per page (default 25)' },
      pageToken: { type: 'string', description: 'the nextPageToken of the previous page, instead of page' },
    },
    responses: { 200: "Kestra's paged shape: `{ results, total, page, size, nextPageToken }`" },
    async handle(cx) {
      const states = cx.query.getAll('state').flatMap((s) => s.split(',')).filter(Boolean);
      const labelValues = cx.query.getAll('labels');
      const q = parseWith(Search, { ...Object.fromEntries(cx.query), state: states.length ? states : undefined, labels: labelValues.length ? labelValues : undefined }, 'query');
      const filter: ExecutionFilter = {
        ...(q.namespace ? { namespace: q.namespace } : {}), ...(q.flowId ? { flowId: q.flowId } : {}), ...(q.state ? { states: q.state } : {}),
        ...(q.startDate ? { from: q.startDate } : {}), ...(q.endDate ? { to: q.endDate } : {}), pageSize: q.size,
      };
      if (q.labels) {
        // The stores do not index labels: the matches are read out of the executions (label-filter.ts),
        // and counting them all would read every execution, so this answer has no total.
        const list = (f: ExecutionFilter) => cx.service.executions.list(f);
        const page = await labelledPage(list, filter, labelsOf(q.labels), { size: q.size, skip: q.pageToken ? 0 : (q.page - 1) * q.size, pageToken: q.pageToken });
        return {
          status: 200,
          json: { results: page.executions.map(executionJson), page: q.page, size: q.size, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) },
        };
      }
      // Kestra's PagedResults carry the count of every match, whatever the page.
      const total = (): Promise<number> => cx.service.executions.count(filter);
      let token = q.pageToken;
      // Pages by number: the store skips the earlier matches by their keys alone (an index on SQLite,
      // an offset query on Firestore), without reading the executions.
      const skip = (q.page - 1) * q.size;
      if (!token && skip > 0) {
        token = await cx.service.executions.tokenAfter(filter, skip);
        if (!token) return { status: 200, json: { results: [], total: await total(), page: q.page, size: q.size } };
      }
      const [page, count] = await Promise.all([cx.service.executions.list({ ...filter, ...(token ? { pageToken: token } : {}) }), total()]);
      return {
        status: 200,
        json: {
          results: page.executions.map(executionJson), total: count, page: q.page, size: q.size,
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        },
      };
    },
  },
  {
    method: 'GET', path: '/api/v1/executions/{executionId}', operationId: 'getExecution', reply: ExecutionJson, tag: 'Executions', access: Access.READ,
    summary: 'Get an execution with its task runs',
    responses: { 200: 'the execution', 404: 'no such execution' },
    async handle(cx) {
      const e = await cx.service.executions.get(cx.params.executionId);
      if (!e) throw notFound(`execution ${cx.params.executionId}`);
      return { status: 200, json: executionJson(e) };
    },
  },
  {
    method: 'DELETE', path: '/api/v1/executions/{executionId}', operationId: 'deleteExecution', tag: 'Executions', access: Access.WRITE,
    summary: 'Delete an ended execution with its task runs, and by default its logs and files',
    query: {
      deleteLogs: { type: 'boolean', description: 'also delete its logs (default true)' },
      deleteMetrics: { type: 'boolean', description: "accepted for Kestra's clients; Aloft keeps no metrics apart from the execution" },
      deleteStorage: { type: 'boolean', description: 'also delete its files in internal storage (default true)' },
    },
    responses: { 204: 'deleted', 404: 'no such execution', 409: 'it has not ended: kill it first' },
    async handle(cx) {
      const flag = (name: string): boolean => parseWith(Bool, cx.query.get(name) ?? undefined, `query ${name}`) !== 'false';
      const opts = { logs: flag('deleteLogs'), storage: flag('deleteStorage') };
      flag('deleteMetrics');
      await cx.service.executions.delete(cx.params.executionId, opts);
      return { status: 204 };
    },
  },
  {
    method: 'DELETE', path: '/api/v1/executions/{executionId}/kill', operationId: 'killExecution', reply: ExecutionJson, tag: 'Executions', access: Access.WRITE,
    summary: 'Kill a running execution',
    responses: { 202: 'the kill was requested; the execution goes KILLING then KILLED', 404: 'no such execution', 409: 'it already ended' },
    async handle(cx) {
      return { status: 202, json: executionJson(await cx.service.executions.kill(cx.params.executionId)) };
    },
  },
  {
    method: 'POST', path: '/api/v1/executions/{executionId}/restart', operationId: 'restartExecution', reply: ExecutionJson, tag: 'Executions', access: Access.WRITE,
    summary: 'Restart a FAILED or KILLED execution from its failed task runs',
    responses: { 200: 'the execution', 404: 'no such execution', 409: 'it is not FAILED or KILLED' },
    async handle(cx) {
      return { status: 200, json: executionJson(await cx.service.executions.restart(cx.params.executionId)) };
    },
  },
  {
    method: 'POST', path: '/api/v1/executions/{executionId}/resume', operationId: 'resumeExecution', reply: ExecutionJson, tag: 'Executions', access: Access.WRITE,
    summary: 'Resume a PAUSED execution, optionally with inputs', body: { 'application/json': ResumeBody, 'multipart/form-data': 'form' },
    responses: { 200: 'the execution', 404: 'no such execution', 409: 'it is not PAUSED' },
    async handle(cx) {
      const body = await startBody(cx, 'resume');
      try {
        return { status: 200, json: executionJson(await cx.service.executions.resume(cx.params.executionId, body.inputs)) };
      } finally {
        await body.dispose?.();
      }
    },
  },
  {
    method: 'POST', path: '/api/v1/executions/{executionId}/replay', operationId: 'replayExecution', reply: ExecutionJson, tag: 'Executions', access: Access.WRITE,
    summary: 'Start a new execution that runs again from a task run (from the start without one)',
    query: { taskRunId: { type: 'string', description: 'the task run to run again' } },
    responses: { 200: 'the new execution', 404: 'no such execution or task run', 409: 'it has not ended' },
    async handle(cx) {
      const e = await cx.service.executions.replay(cx.params.executionId, cx.query.get('taskRunId') ?? undefined);
      return { status: 200, json: executionJson(e) };
    },
  },
];
