// The flow JSON Schema (draft-07, what the YAML language server reads): the top-level fields from the
// same zod schemas the validator uses, and every task type of the catalog (names and aliases) with its
// properties. Child task lists of flowables (`tasks`, `errors`, Switch `cases`, Dag wrappers) point back
// at the task definition, so nested tasks complete as top-level ones do. Served at
// /api/v1/plugins/schemas/flow and written to dist/flow.schema.json by the build.
import { z } from 'zod';
import type { TaskCatalog, TaskTypeInfo } from '../model/catalog';
import { TaskBase } from '../model/flow';
import { InputDocument, KNOWN_TRIGGER_TYPES, REQUIRED_TOP_LEVEL, TOP_LEVEL, TriggerDocument } from '../model/flow-schema';

type Schema = Record<string, unknown>;

const TASK_REF = { $ref: '#/definitions/task' } as const;
const TASK_LIST = { type: 'array', items: TASK_REF } as const;

/**
 * Converts zod schemas to draft-07 JSON Schema, without their own `$schema`; what zod cannot express is
 * left open. A recursive schema's `definitions` move to the root document under a unique name, since
 * its `$ref`s point at the root.
 */
function converter(hoisted: Record<string, Schema>): (schema: z.ZodType) => Schema {
  let n = 0;
  return (schema) => {
    const { $schema: _drop, definitions, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Schema;
    if (!definitions) return rest;
    const prefix = `zod${n++}_`;
    const rename = (text: string): string => text.replace(/"#\/definitions\/([^"]+)"/g, (_m, name: string) => `"#/definitions/${prefix}${name}"`);
    for (const [name, def] of Object.entries(definitions as Record<string, Schema>)) hoisted[prefix + name] = JSON.parse(rename(JSON.stringify(def))) as Schema;
    return JSON.parse(rename(JSON.stringify(rest))) as Schema;
  };
}

/** One type name's definition: TaskBase's properties, the type's own, `type` fixed to the name. */
function taskDefinition(info: TaskTypeInfo, name: string, base: Schema, own: Schema): Schema {
  const properties: Record<string, unknown> = { ...(base.properties as Schema), ...((own.properties as Schema | undefined) ?? {}) };
  for (const key of info.childLists ?? []) properties[key] = TASK_LIST;
  for (const key of info.childMaps ?? []) properties[key] = { type: 'object', additionalProperties: TASK_LIST };
  for (const key of info.childWrappers ?? []) {
    properties[key] = { type: 'array', items: { type: 'object', properties: { task: TASK_REF, dependsOn: { type: 'array', items: { type: 'string' } } }, required: ['task'] } };
  }
  properties.type = { const: name, description: name === info.type ? info.kind : `alias of ${info.type}` };
  const required = [...new Set(['id', 'type', ...((own.required as string[] | undefined) ?? [])])];
  return { type: 'object', title: name, properties, required, ...(own.additionalProperties === false ? { additionalProperties: false } : {}) };
}

export function flowJsonSchema(catalog: TaskCatalog): Schema {
  const definitions: Record<string, Schema> = {};
  const toSchema = converter(definitions);
  const base = toSchema(TaskBase);
  const names: string[] = [];
  for (const info of catalog.types()) {
    const own = toSchema(info.properties);
    for (const name of [info.type, ...info.aliases]) {
      definitions[name] = taskDefinition(info, name, base, own);
      names.push(name);
    }
  }
  // `if type is X then X's definition`: an editor offers the types first, then the chosen type's properties.
  definitions.task = {
    type: 'object',
    properties: { id: { type: 'string' }, type: { type: 'string', enum: names } },
    required: ['id', 'type'],
    allOf: names.map((name) => ({ if: { properties: { type: { const: name } } }, then: { $ref: `#/definitions/${name.replace(/~/g, '~0').replace(/\//g, '~1')}` } })),
  };
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(TOP_LEVEL)) properties[key] = toSchema(schema);
  for (const key of ['tasks', 'errors', 'finally']) properties[key] = key === 'tasks' ? { ...TASK_LIST, minItems: 1 } : TASK_LIST;
  properties.inputs = { type: 'array', items: toSchema(InputDocument) };
  const trigger = toSchema(TriggerDocument);
  properties.triggers = { type: 'array', items: { ...trigger, properties: { ...(trigger.properties as Schema), type: { type: 'string', examples: KNOWN_TRIGGER_TYPES } } } };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Aloft flow',
    type: 'object',
    properties,
    required: [...REQUIRED_TOP_LEVEL],
    additionalProperties: false,
    definitions,
  };
}
