// Flow dependencies, as Kestra's: the edges around a flow or a namespace, and delete answering with
// the flows it would break.
import { z } from 'zod';
import { Access } from '../auth';
import { FlowHasDependentsError } from '../dependencies';
import { parseWith, type Ctx, type QueryParam, type Route } from '../route';
import { Dependencies } from '../response-schemas';

const Bool = z.enum(['true', 'false']).optional().transform((v) => v === 'true');
const Query = z.object({ destinationOnly: Bool, expandAll: Bool });
const graphQuery = (cx: Ctx): { destinationOnly: boolean; expandAll: boolean } => parseWith(Query, {
  destinationOnly: cx.query.get('destinationOnly') ?? undefined, expandAll: cx.query.get('expandAll') ?? undefined,
}, 'query');

const GRAPH_QUERY: Record<string, QueryParam> = {
  destinationOnly: { type: 'boolean', description: 'only the edges into the flow (what it depends on)' },
  expandAll: { type: 'boolean', description: 'follow the graph from every flow reached (cycles end)' },
};
const GRAPH = '`{ nodes: [{ uid, namespace, id }], edges: [{ source, target, relation }] }`; an edge goes from the flow that runs first';

export const dependencyRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/flows/{namespace}/{id}/dependencies', operationId: 'flowDependencies', reply: Dependencies, tag: 'Flows', access: Access.READ,
    summary: 'The flows this flow calls or listens to, and the flows that call it or listen to it',
    query: GRAPH_QUERY,
    responses: { 200: GRAPH, 404: 'no such flow' },
    async handle(cx) {
      return { status: 200, json: await cx.service.flows.dependencies(cx.params.namespace, cx.params.id, graphQuery(cx)) };
    },
  },
  {
    method: 'GET', path: '/api/v1/namespaces/{namespace}/dependencies', operationId: 'namespaceDependencies', reply: Dependencies, tag: 'Flows', access: Access.READ,
    summary: 'The dependencies of the flows of a namespace (not its sub-namespaces)',
    query: GRAPH_QUERY,
    responses: { 200: GRAPH },
    async handle(cx) {
      return { status: 200, json: await cx.service.flows.namespaceDependencies(cx.params.namespace, graphQuery(cx)) };
    },
  },
  {
    method: 'DELETE', path: '/api/v1/flows/{namespace}/{id}', operationId: 'deleteFlow', tag: 'Flows', access: Access.WRITE,
    summary: 'Delete a flow and its revisions',
    query: { force: { type: 'boolean', description: 'delete even while other flows depend on it' } },
    responses: { 204: 'deleted', 404: 'no such flow', 409: 'other flows depend on it; `dependents` lists them (`namespace.id`)' },
    async handle(cx) {
      const force = parseWith(Bool, cx.query.get('force') ?? undefined, 'query force');
      try {
        await cx.service.flows.delete(cx.params.namespace, cx.params.id, { force });
      } catch (err) {
        if (err instanceof FlowHasDependentsError) return { status: 409, json: { ...err.toJSON(), dependents: err.dependents } };
        throw err;
      }
      return { status: 204 };
    },
  },
];
