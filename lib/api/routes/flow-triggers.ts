// Enabling and disabling one trigger of a flow, as the UI's toggle does: the flow's YAML gets (or loses)
// `disabled: true` on that trigger and is saved as a new revision, so the change is in the flow's history,
// every runtime reads it the same way, and comments and layout of the rest of the source are kept.
import { isMap, isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { flowKey } from '../../model/flow';
import { Access } from '../auth';
import { SavedFlowJson } from '../response-schemas';
import { parseJson, readBody } from '../http';
import { flowJson } from '../json';
import { notFound, parseWith, type Route } from '../route';

const Body = z.object({ disabled: z.boolean() }).strict();

/** The source with trigger `triggerId` disabled or enabled; undefined when the source has no such trigger. */
export function setTriggerDisabled(source: string, triggerId: string, disabled: boolean): string | undefined {
  const doc = parseDocument(source);
  const triggers = doc.get('triggers');
  if (!isSeq(triggers)) return undefined;
  const trigger = triggers.items.find((t) => isMap(t) && t.get('id') === triggerId);
  if (!isMap(trigger)) return undefined;
  if (disabled) trigger.set('disabled', true);
  else trigger.delete('disabled');
  return doc.toString();
}

export const flowTriggerRoutes: Route[] = [
  {
    method: 'PUT', path: '/api/v1/flows/{namespace}/{id}/triggers/{triggerId}', operationId: 'setFlowTriggerDisabled', reply: SavedFlowJson, tag: 'Flows', access: Access.WRITE,
    summary: 'Disable or enable one trigger of a flow (saved as a new revision)', body: { 'application/json': Body },
    responses: { 200: 'the saved flow', 404: 'no such flow or trigger' },
    async handle(cx) {
      const { namespace, id, triggerId } = cx.params;
      const { disabled } = parseWith(Body, parseJson(await readBody(cx.req, cx.limits.bodyBytes)), 'request body');
      const stored = await cx.service.flows.get(namespace, id);
      if (!stored) throw notFound(`flow ${flowKey(namespace, id)}`);
      const source = setTriggerDisabled(stored.source, triggerId, disabled);
      if (source === undefined) throw notFound(`trigger ${triggerId} of flow ${flowKey(namespace, id)}`);
      const saved = await cx.service.flows.save(source, { namespace, id });
      return { status: 200, json: { ...flowJson(saved), warnings: saved.warnings } };
    },
  },
];
