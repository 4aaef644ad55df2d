// The response bodies of the API as zod schemas: the OpenAPI document is generated from them, and the
// OpenAPI test checks real answers against that document, so a shape that drifts fails a test.
// Objects whose every field is listed reject others (a field added to an answer must be added here);
// a flow is open, since it carries whatever its YAML declares.
import { z } from 'zod';
import { ErrorDataSchema, StateSchema } from '../model/execution';
import { TaskStatus } from '../model/catalog';
import { KV_TYPES } from '../model/kv';
import { LogLine } from '../ports/log-store';
import { DependencyRelation } from './service';

const History = z.object({ state: StateSchema, date: z.string() });
const StateJson = z.object({
  current: StateSchema, histories: z.array(History), startDate: z.string().optional(), endDate: z.string().optional(), duration: z.string().optional(),
});
const Outputs = z.record(z.string(), z.unknown());

export const TaskRunJson = z.object({
  id: z.string(),
  parentTaskRunId: z.string().optional(),
  taskId: z.string(),
  value: z.string().optional(),
  state: StateJson,
  attempts: z.array(z.object({ state: StateJson })),
  outputs: Outputs.optional(),
  error: ErrorDataSchema.optional(),
});

export const ExecutionJson = z.object({
  id: z.string(),
  namespace: z.string(),
  flowId: z.string(),
  flowRevision: z.number().int(),
  state: StateJson,
  inputs: z.record(z.string(), z.unknown()),
  outputs: Outputs.optional().describe("the flow's own outputs (Kestra 1.x); task outputs are on their task runs"),
  labels: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
  trigger: z.object({ id: z.string(), type: z.string(), variables: z.record(z.string(), z.unknown()) }).optional(),
  parentId: z.string().optional(),
  originalId: z.string().optional(),
  error: ErrorDataSchema.optional(),
  taskRunList: z.array(TaskRunJson),
});

export const ExecutionPage = z.object({
  results: z.array(ExecutionJson),
  total: z.number().int().nonnegative().optional().describe('every execution that matches the filter; absent with a labels filter'),
  page: z.number().int(),
  size: z.number().int(),
  nextPageToken: z.string().optional(),
});

const Diagnostic = z.looseObject({ code: z.string(), message: z.string(), severity: z.string().optional(), line: z.number().int().optional(), column: z.number().int().optional() });

export const FlowJson = z.looseObject({
  id: z.string(), namespace: z.string(), revision: z.number().int(), updated: z.string(), source: z.string(), tasks: z.array(z.unknown()),
});
export const SavedFlowJson = FlowJson.extend({ warnings: z.array(Diagnostic) });
export const FlowList = z.array(FlowJson);
export const FlowPage = z.object({ results: z.array(FlowJson), total: z.number().int().nonnegative() });
export const Validation = z.object({ valid: z.boolean(), errors: z.array(Diagnostic), warnings: z.array(Diagnostic) });

export const Dependencies = z.object({
  nodes: z.array(z.object({ uid: z.string(), namespace: z.string(), id: z.string() })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), relation: z.enum(Object.values(DependencyRelation)) })),
});

export const LogLines = z.array(LogLine);

const TypeSupport = z.object({
  type: z.string(), aliases: z.array(z.string()), kind: z.enum(['flowable', 'runnable', 'trigger']), group: z.string(), status: z.enum(Object.values(TaskStatus)),
});
export const PluginList = z.array(TypeSupport);
export const PluginJson = TypeSupport.extend({ properties: z.record(z.string(), z.unknown()).describe("the JSON Schema of the type's properties") });

const KvTypeSchema = z.enum(KV_TYPES);
export const KvList = z.array(z.object({
  key: z.string(), type: KvTypeSchema.optional(), description: z.string().optional(), creationDate: z.string(), updateDate: z.string(), expirationDate: z.string().optional(),
}));
export const KvValue = z.object({ type: KvTypeSchema, value: z.unknown() });
export const KvDeleted = z.boolean().describe('true when the key existed');

export const NamespaceDirectory = z.array(z.object({ fileName: z.string(), type: z.enum(['File', 'Directory']), size: z.number().int().optional() }));
export const NamespaceFileSaved = z.object({ path: z.string(), size: z.number().int() });

const GraphTaskRef = z.object({ id: z.string(), type: z.string() });
/** Kestra's FlowGraph (lib/engine/flow-graph.ts). */
export const FlowGraphJson = z.object({
  nodes: z.array(z.object({
    uid: z.string(), type: z.string(), task: GraphTaskRef.optional(), trigger: GraphTaskRef.extend({ disabled: z.boolean().optional() }).optional(),
  })),
  edges: z.array(z.object({ source: z.string(), target: z.string(), relation: z.object({ relationType: z.string(), value: z.string().optional() }) })),
  clusters: z.array(z.object({
    cluster: z.object({ uid: z.string(), type: z.string(), taskId: z.string() }),
    nodes: z.array(z.string()), parents: z.array(z.string()), start: z.string(), end: z.string(),
  })),
});

/** A JSON Schema document: open, since it is generated from the catalog. */
export const JsonSchemaDocument = z.looseObject({ $schema: z.string() });

export const OpenApiJson = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string(), version: z.string() }), paths: z.record(z.string(), z.unknown()) });
