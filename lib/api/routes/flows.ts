// /api/v1/flows: create or update from YAML, validate, get (by revision), search. Dependencies and delete: ./dependencies.ts.
import { z } from 'zod';
import { Access } from '../auth';
import { readBody } from '../http';
import type { StoredFlow } from '../../ports/flow-repository';
import { flowJson } from '../json';
import { notFound, parseWith, type Ctx, type Route } from '../route';
import { FlowJson, FlowPage, SavedFlowJson, Validation } from '../response-schemas';

const Yaml = z.string().refine((s) => s.trim().length > 0, { message: 'the body must be a flow in YAML' });
export const yamlBody = async (cx: Ctx): Promise<string> => parseWith(Yaml, (await readBody(cx.req, cx.limits.bodyBytes)).toString('utf8'), 'request body');

const Page = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(1000).default(100),
});
const Revision = z.coerce.number().int().min(1).optional();

/** The flow of the path's namespace and id, at the `revision` query parameter (the latest without it); 404 when absent. */
export async function storedFlowAt(cx: Ctx): Promise<StoredFlow> {
  const revision = parseWith(Revision, cx.query.get('revision') ?? undefined, 'query revision');
  const stored = await cx.service.flows.get(cx.params.namespace, cx.params.id, revision);
  if (!stored) throw notFound(`flow ${cx.params.namespace}.${cx.params.id}${revision ? ` revision ${revision}` : ''}`);
  return stored;
}

export const YAML_BODY = { 'application/x-yaml': 'text', 'text/yaml': 'text' } as const;

export const flowRoutes: Route[] = [
  {
    method: 'POST', path: '/api/v1/flows', operationId: 'createFlow', reply: SavedFlowJson, tag: 'Flows', access: Access.WRITE, body: YAML_BODY,
    summary: 'Create a flow from YAML, or save a new revision of it',
    responses: { 200: 'the saved flow, with its revision and warnings', 422: 'the flow is invalid; `errors` lists every problem' },
    async handle(cx) {
      const saved = await cx.service.flows.save(await yamlBody(cx));
      return { status: 200, json: { ...flowJson(saved), warnings: saved.warnings } };
    },
  },
  {
    method: 'PUT', path: '/api/v1/flows/{namespace}/{id}', operationId: 'updateFlow', reply: SavedFlowJson, tag: 'Flows', access: Access.WRITE, body: YAML_BODY,
    summary: 'Save a new revision of a flow (namespace and id must match the body)',
    responses: { 200: 'the saved flow', 422: 'the flow is invalid or names another flow' },
    async handle(cx) {
      const saved = await cx.service.flows.save(await yamlBody(cx), { namespace: cx.params.namespace, id: cx.params.id });
      return { status: 200, json: { ...flowJson(saved), warnings: saved.warnings } };
    },
  },
  {
    method: 'POST', path: '/api/v1/flows/validate', operationId: 'validateFlow', reply: Validation, tag: 'Flows', access: Access.READ, body: YAML_BODY,
    summary: 'Validate a flow without saving it',
    responses: { 200: '`{ valid, errors, warnings }`, each problem with line and column' },
    async handle(cx) {
      return { status: 200, json: await cx.service.flows.validate(await yamlBody(cx)) };
    },
  },
  {
    method: 'GET', path: '/api/v1/flows/search', operationId: 'searchFlows', reply: FlowPage, tag: 'Flows', access: Access.READ,
    summary: 'List flows (latest revisions), optionally in a namespace and its sub-namespaces',
    query: {
      namespace: { type: 'string', description: 'a namespace; sub-namespaces are included' },
      page: { type: 'integer', description: 'page number, from 1' },
      size: { type: 'integer', description: 'flows per page (default 100)' },
    },
    responses: { 200: '`{ results, total }`' },
    async handle(cx) {
      const { page, size } = parseWith(Page, Object.fromEntries(cx.query), 'query');
      const namespace = cx.query.get('namespace') ?? undefined;
      const all = await cx.service.flows.list({ namespace });
      return { status: 200, json: { results: all.slice((page - 1) * size, page * size).map(flowJson), total: all.length } };
    },
  },
  {
    method: 'GET', path: '/api/v1/flows/{namespace}/{id}', operationId: 'getFlow', reply: FlowJson, tag: 'Flows', access: Access.READ,
    summary: 'Get a flow, its latest revision or the given one',
    query: { revision: { type: 'integer', description: 'a revision number' } },
    responses: { 200: 'the flow', 404: 'no such flow or revision' },
    handle: async (cx) => ({ status: 200, json: flowJson(await storedFlowAt(cx)) }),
  },
];
