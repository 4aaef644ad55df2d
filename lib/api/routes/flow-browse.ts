// Kestra's routes for browsing flows: the flows of a namespace, and every revision of a flow.
import { Access } from '../auth';
import { flowJson } from '../json';
import { notFound, type Route } from '../route';
import { FlowList } from '../response-schemas';

export const flowBrowseRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/flows/{namespace}', operationId: 'listFlowsInNamespace', reply: FlowList, tag: 'Flows', access: Access.READ,
    summary: 'The flows (latest revisions) of exactly this namespace, as Kestra lists them',
    responses: { 200: 'a list of flows' },
    async handle(cx) {
      // The repository includes sub-namespaces; Kestra's route names one namespace.
      const flows = (await cx.service.flows.list({ namespace: cx.params.namespace })).filter((f) => f.flow.namespace === cx.params.namespace);
      return { status: 200, json: flows.map(flowJson) };
    },
  },
  {
    method: 'GET', path: '/api/v1/flows/{namespace}/{id}/revisions', operationId: 'flowRevisions', reply: FlowList, tag: 'Flows', access: Access.READ,
    summary: 'Every revision of a flow, oldest first',
    responses: { 200: 'a list of flows, one per revision', 404: 'no such flow' },
    async handle(cx) {
      const { namespace, id } = cx.params;
      const latest = await cx.service.flows.get(namespace, id);
      if (!latest) throw notFound(`flow ${namespace}.${id}`);
      const revisions = [];
      for (let r = 1; r < latest.revision; r++) {
        const stored = await cx.service.flows.get(namespace, id, r);
        if (stored) revisions.push(flowJson(stored));
      }
      return { status: 200, json: [...revisions, flowJson(latest)] };
    },
  },
];
