// The flow JSON Schema, as Kestra serves it, for editors (the UI's autocompletion, the YAML language server).
import { Readable } from 'node:stream';
import type { TaskCatalog } from '../../model/catalog';
import { catalog } from '../../plugins/catalog';
import { Access } from '../auth';
import { JsonSchemaDocument } from '../response-schemas';
import { flowJsonSchema } from '../flow-json-schema';
import type { Route } from '../route';

// Computed once per catalog: it depends on nothing else, and it is ~400 KB.
const cache = new WeakMap<TaskCatalog, string>();

export const flowSchemaRoutes: Route[] = [
  {
    method: 'GET', path: '/api/v1/plugins/schemas/flow', operationId: 'flowJsonSchema', reply: JsonSchemaDocument, tag: 'Plugins', access: Access.READ,
    summary: 'The JSON Schema (draft-07) of a flow: top-level fields and every task type with its properties',
    responses: { 200: 'the schema' },
    async handle() {
      const c = catalog();
      let text = cache.get(c);
      if (text === undefined) {
        text = JSON.stringify(flowJsonSchema(c));
        cache.set(c, text);
      }
      return { status: 200, stream: Readable.from([text]), headers: { 'content-type': 'application/json; charset=utf-8' } };
    },
  },
];
