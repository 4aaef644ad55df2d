// The task types this deployment knows (the rows of docs/compatibility.md) and its trigger types, and
// the JSON Schema of one type's properties, generated from the zod schema that validates them.
import { z } from 'zod';
import { catalog } from '../../plugins/catalog';
import { TaskStatus } from '../../model/catalog';
import { typeSupport } from '../../plugins/compatibility';
import { triggerCatalog } from '../../triggers/catalog';
import { Access } from '../auth';
import { notFound, type Route } from '../route';
import { PluginJson, PluginList } from '../response-schemas';

/** The JSON Schema of a task or trigger type's properties; parts zod cannot express (refinements, transforms) are left open. */
export function propertiesSchema(type: string): Record<string, unknown> | undefined {
  const info = catalog().get(type) ?? triggerCatalog.get(type);
  if (!info) return undefined;
  return z.toJSONSchema(info.properties, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

/** Trigger types as rows of the same list: every one runs, embedded and in the cloud. */
const TRIGGER_GROUP = 'trigger';
const triggerRows = () => triggerCatalog.types()
  .map((t) => ({ type: t.type, aliases: t.aliases, kind: 'trigger' as const, group: TRIGGER_GROUP, status: TaskStatus.runs }))
  .sort((a, b) => a.type.localeCompare(b.type));
const allRows = () => [...typeSupport(catalog()), ...triggerRows()];

export const pluginRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/plugins', operationId: 'listPlugins', reply: PluginList, tag: 'Plugins', access: Access.READ,
    summary: 'Every task and trigger type this deployment knows, with its aliases, kind (flowable, runnable, trigger), group and status (runs, validates only)',
    responses: { 200: 'a list of `{ type, aliases, kind, group, status }`: the task types, then the trigger types' },
    handle: async () => ({ status: 200, json: allRows() }),
  },
  {
    method: 'GET', path: '/api/v1/plugins/{type}', operationId: 'getPlugin', reply: PluginJson, tag: 'Plugins', access: Access.READ,
    summary: "One task or trigger type (by its name or an alias) with the JSON Schema of its properties",
    responses: { 200: '`{ type, aliases, kind, group, status, properties }`', 404: 'no such type' },
    async handle(cx) {
      const info = catalog().get(cx.params.type) ?? triggerCatalog.get(cx.params.type);
      const row = info && allRows().find((r) => r.type === info.type);
      if (!row) throw notFound(`task or trigger type ${cx.params.type}`);
      return { status: 200, json: { ...row, properties: propertiesSchema(row.type) } };
    },
  },
];
