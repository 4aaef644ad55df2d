// The task types this deployment knows (the rows of docs/compatibility.md), and the JSON Schema of
// one type's properties, generated from the zod schema that validates them.
import { z } from 'zod';
import { catalog } from '../../plugins/catalog';
import { typeSupport } from '../../plugins/compatibility';
import { Access } from '../auth';
import { notFound, type Route } from '../route';
import { PluginJson, PluginList } from '../response-schemas';

/** The JSON Schema of a type's properties; parts zod cannot express (refinements, transforms) are left open. */
export function propertiesSchema(type: string): Record<string, unknown> | undefined {
  const info = catalog().get(type);
  if (!info) return undefined;
  return z.toJSONSchema(info.properties, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}

export const pluginRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/plugins', operationId: 'listPlugins', reply: PluginList, tag: 'Plugins', access: Access.READ,
    summary: 'Every task type this deployment knows, with its aliases, kind, group and status (runs, validates only)',
    responses: { 200: 'a list of `{ type, aliases, kind, group, status }`' },
    handle: async () => ({ status: 200, json: typeSupport(catalog()) }),
  },
  {
    method: 'GET', path: '/api/v1/plugins/{type}', operationId: 'getPlugin', reply: PluginJson, tag: 'Plugins', access: Access.READ,
    summary: "One task type (by its name or an alias) with the JSON Schema of its properties",
    responses: { 200: '`{ type, aliases, kind, group, status, properties }`', 404: 'no such type' },
    async handle(cx) {
      const info = catalog().get(cx.params.type);
      const row = info && typeSupport(catalog()).find((r) => r.type === info.type);
      if (!row) throw notFound(`task type ${cx.params.type}`);
      return { status: 200, json: { ...row, properties: propertiesSchema(row.type) } };
    },
  },
];
