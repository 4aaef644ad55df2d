// Kestra's flow topology routes: the FlowGraph of a saved flow (any revision), and of YAML being written,
// for the editor's live view. The YAML is validated as a save would be: an invalid flow answers 422 with
// every problem, as POST /api/v1/flows does.
import { flowGraph } from '../../engine/flow-graph';
import { parseYaml } from '../../model/flow-yaml';
import { Access } from '../auth';
import { FlowGraphJson } from '../response-schemas';
import { FlowValidationError } from '../port-service';
import type { Route } from '../route';
import { storedFlowAt, YAML_BODY, yamlBody } from './flows';

export const flowGraphRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/flows/{namespace}/{id}/graph', operationId: 'flowGraph', reply: FlowGraphJson, tag: 'Flows', access: Access.READ,
    summary: "The flow's topology (Kestra's FlowGraph): nodes, edges and clusters",
    query: { revision: { type: 'integer', description: 'a revision number (the latest without it)' } },
    responses: { 200: '`{ nodes, edges, clusters }`', 404: 'no such flow or revision' },
    handle: async (cx) => ({ status: 200, json: flowGraph((await storedFlowAt(cx)).flow) }),
  },
  {
    method: 'POST', path: '/api/v1/flows/graph', operationId: 'flowGraphFromSource', reply: FlowGraphJson, tag: 'Flows', access: Access.READ,
    body: YAML_BODY,
    summary: 'The topology of a flow written in YAML, without saving it',
    responses: { 200: '`{ nodes, edges, clusters }`', 422: 'the flow is invalid; `errors` lists every problem' },
    async handle(cx) {
      const source = await yamlBody(cx);
      const checked = await cx.service.flows.validate(source);
      if (!checked.valid) throw new FlowValidationError(checked.errors);
      return { status: 200, json: flowGraph(parseYaml(source).value as Parameters<typeof flowGraph>[0]) };
    },
  },
];
