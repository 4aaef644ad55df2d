import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { flowJsonSchema } from '../../../lib/api/flow-json-schema';
import { catalog } from '../../../lib/plugins/catalog';

type Schema = Record<string, any>;
const schema = flowJsonSchema(catalog()) as Schema;
const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');

/** Every task in a flow document, nested ones included (child lists, Switch cases, Dag wrappers). */
function tasksIn(node: unknown, out: Schema[] = []): Schema[] {
  if (Array.isArray(node)) for (const n of node) tasksIn(n, out);
  else if (node && typeof node === 'object') {
    const o = node as Schema;
    if (typeof o.id === 'string' && typeof o.type === 'string' && o.type.startsWith('io.kestra')) out.push(o);
    for (const v of Object.values(o)) tasksIn(v, out);
  }
  return out;
}

describe('flowJsonSchema', () => {
  it('is a draft-07 document whose every $ref resolves inside it', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)].map((m) => m[1].replace(/~1/g, '/').replace(/~0/g, '~'));
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((r) => !(r in schema.definitions))).toEqual([]);
  });

  it('offers every task type and alias of the catalog, each with its own properties and `type` fixed to its name', () => {
    const names = catalog().types().flatMap((t) => [t.type, ...t.aliases]);
    expect(schema.definitions.task.properties.type.enum).toEqual(names);
    const log = schema.definitions['io.kestra.plugin.core.log.Log'];
    expect(log.properties.type).toEqual({ const: 'io.kestra.plugin.core.log.Log', description: 'alias of io.kestra.core.tasks.log.Log' });
    expect(Object.keys(log.properties)).toEqual(expect.arrayContaining(['id', 'message', 'level', 'retry', 'timeout']));
    expect(log.required).toEqual(expect.arrayContaining(['id', 'type', 'message']));
    // Strict, as the validator: a misspelt property is flagged by the editor too.
    expect(log.additionalProperties).toBe(false);
  });

  it("points flowables' child lists, Switch cases and Dag wrappers back at the task definition", () => {
    const d = schema.definitions;
    expect(d['io.kestra.core.tasks.flows.Parallel'].properties.tasks).toEqual({ type: 'array', items: { $ref: '#/definitions/task' } });
    expect(d['io.kestra.core.tasks.flows.Parallel'].properties.errors.items).toEqual({ $ref: '#/definitions/task' });
    expect(d['io.kestra.core.tasks.flows.Switch'].properties.cases.additionalProperties.items).toEqual({ $ref: '#/definitions/task' });
    expect(d['io.kestra.plugin.core.flow.Dag'].properties.tasks.items.properties.task).toEqual({ $ref: '#/definitions/task' });
    expect(schema.properties.tasks).toEqual({ type: 'array', items: { $ref: '#/definitions/task' }, minItems: 1 });
  });

  it('knows every task type and property the example flows use', () => {
    const files = readdirSync(EXAMPLES, { recursive: true }).map(String).filter((f) => f.endsWith('.yml'));
    expect(files.length).toBeGreaterThan(5);
    const unknown: string[] = [];
    for (const file of files) {
      const doc = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Schema;
      if (!doc || typeof doc !== 'object' || !Array.isArray(doc.tasks)) continue;
      for (const key of Object.keys(doc)) if (!(key in schema.properties)) unknown.push(`${file}: top-level ${key}`);
      for (const task of tasksIn([doc.tasks, doc.errors ?? [], doc.finally ?? []])) {
        const def = schema.definitions[task.type];
        if (!def) { unknown.push(`${file}: type ${task.type}`); continue; }
        if (def.additionalProperties === false) for (const key of Object.keys(task)) if (!(key in def.properties)) unknown.push(`${file}: ${task.type}.${key}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
