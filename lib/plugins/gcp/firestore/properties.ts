// Properties and outputs of the Firestore tasks, with kestra-io/plugin-gcp's names and defaults
// (AbstractFirestore: collection; Get, Set, Delete: childPath; Query: filters, orderBy, fetchType).
import { z } from 'zod';
import { gcpProperties } from '../credentials';

const Int = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'must be an integer').transform(Number)]);

const base = { ...gcpProperties, collection: z.string().min(1) };

export const GetProperties = z.object({ ...base, childPath: z.string().min(1) }).strict();
export type GetProperties = z.infer<typeof GetProperties>;
export const GetOutputs = z.object({ row: z.record(z.string(), z.unknown()).optional() }).strict();

export const SetProperties = z.object({
  ...base,
  childPath: z.string().min(1).optional(),
  /** A map, or JSON text of one (Kestra reads both). */
  document: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
}).strict();
export type SetProperties = z.infer<typeof SetProperties>;

export const DeleteProperties = z.object({ ...base, childPath: z.string().min(1) }).strict();
export type DeleteProperties = z.infer<typeof DeleteProperties>;

export const WriteOutputs = z.object({ updatedTime: z.string(), childPath: z.string().optional() }).strict();
export type WriteOutputs = z.infer<typeof WriteOutputs>;

export const QueryOperator = z.enum(['EQUAL_TO', 'NOT_EQUAL_TO', 'LESS_THAN', 'LESS_THAN_OR_EQUAL_TO', 'GREATER_THAN', 'GREATER_THAN_OR_EQUAL_TO']);

export const QueryProperties = z.object({
  ...base,
  fetchType: z.enum(['FETCH_ONE', 'FETCH', 'STORE', 'NONE']).optional(),
  filters: z.array(z.object({
    field: z.string().min(1),
    value: z.union([z.string(), z.number(), z.boolean()]),
    operator: QueryOperator.optional(),
  }).strict()).optional(),
  orderBy: z.string().min(1).optional(),
  orderDirection: z.enum(['ASCENDING', 'DESCENDING']).optional(),
  offset: Int.optional(),
  limit: Int.optional(),
}).strict();
export type QueryProperties = z.infer<typeof QueryProperties>;

export const QueryOutputs = z.object({
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  row: z.record(z.string(), z.unknown()).optional(),
  uri: z.string().optional(),
  size: z.number().int().nonnegative(),
}).strict();
export type QueryOutputs = z.infer<typeof QueryOutputs>;
