// The Query and Batch properties and outputs, with Kestra 0.4's names (AbstractJdbcConnection,
// AbstractJdbcQuery, AbstractJdbcBatch, and the PostgreSQL SSL and MySQL inputFile additions).
import { z } from 'zod';
import { urlProblem, type Vendor } from './jdbc-url';
import { isTimeZoneId } from './time-zone';
import { SslMode } from './dialect';
import { UNSUPPORTED } from './dialects';

/** Values still holding an expression are checked once rendered, not while a flow is validated. */
const templated = (v: string): boolean => v.includes('{{') || v.includes('{%');

const Bool = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const PositiveInt = z.union([z.number().int().positive(), z.string().regex(/^[1-9]\d*$/, 'must be a positive integer').transform(Number)]);
const TimeZoneId = z.string().refine((v) => templated(v) || isTimeZoneId(v), { message: 'unknown time zone id (use e.g. UTC, Europe/Paris or +02:00)' });

const connection = {
  url: z.string().min(1),
  username: z.string().optional(),
  password: z.string().optional(),
  /** Accepted for Kestra compatibility; a Query's statements are committed as they run. */
  autoCommit: Bool.optional(),
};

export const QueryProperties = z.object({
  ...connection,
  sql: z.string().min(1),
  store: Bool.optional(),
  fetchOne: Bool.optional(),
  fetch: Bool.optional(),
  timeZoneId: TimeZoneId.optional(),
  fetchSize: PositiveInt.optional(),
}).strict();

export const BatchProperties = z.object({
  ...connection,
  from: z.string().min(1),
  sql: z.string().min(1),
  chunk: PositiveInt.optional(),
  columns: z.array(z.string().min(1)).optional(),
  timeZoneId: TimeZoneId.optional(),
}).strict();

export const PostgresSslProperties = z.object({
  ssl: Bool.optional(),
  sslMode: z.enum(Object.values(SslMode) as [SslMode, ...SslMode[]]).optional(),
  sslRootCert: z.string().optional(),
  sslCert: z.string().optional(),
  sslKey: z.string().optional(),
  sslKeyPassword: z.string().optional(),
}).strict();
export type PostgresSslProperties = z.infer<typeof PostgresSslProperties>;

/** MySQL Query: a file of internal storage that `LOAD DATA LOCAL INFILE '{{ inputFile }}'` reads. */
export const MysqlQueryExtra = z.object({ inputFile: z.string().optional() }).strict();

export type QueryProperties = z.infer<typeof QueryProperties> & PostgresSslProperties & z.infer<typeof MysqlQueryExtra>;
export type BatchProperties = z.infer<typeof BatchProperties> & PostgresSslProperties;

export const QueryOutputs = z.object({
  row: z.record(z.string(), z.unknown()).nullable().optional(),
  rows: z.array(z.record(z.string(), z.unknown())).optional(),
  uri: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
}).strict();
export type QueryOutputs = z.infer<typeof QueryOutputs>;

export const BatchOutputs = z.object({
  rowCount: z.number().int().nonnegative(),
  updatedCount: z.number().int().nonnegative(),
}).strict();
export type BatchOutputs = z.infer<typeof BatchOutputs>;

/** Adds the per-vendor checks: the URL's form, and vendors that no Node.js driver serves. */
function forVendor(schema: z.ZodObject, vendor: Vendor): z.ZodType {
  return schema.superRefine((value: { url?: unknown }, ctx) => {
    const unsupported = UNSUPPORTED[vendor];
    if (unsupported) {
      ctx.addIssue({ code: 'custom', message: unsupported, path: [], params: { code: 'NOT_SUPPORTED' } });
      return;
    }
    if (typeof value.url === 'string' && !templated(value.url)) {
      const problem = urlProblem(vendor, value.url);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['url'] });
    }
  });
}

export function queryPropertiesFor(vendor: Vendor): z.ZodType<QueryProperties> {
  let schema: z.ZodObject = QueryProperties;
  if (vendor === 'postgresql') schema = schema.extend(PostgresSslProperties.shape);
  if (vendor === 'mysql') schema = schema.extend(MysqlQueryExtra.shape);
  return forVendor(schema, vendor) as unknown as z.ZodType<QueryProperties>;
}

export function batchPropertiesFor(vendor: Vendor): z.ZodType<BatchProperties> {
  const schema: z.ZodObject = vendor === 'postgresql' ? BatchProperties.extend(PostgresSslProperties.shape) : BatchProperties;
  return forVendor(schema, vendor) as unknown as z.ZodType<BatchProperties>;
}
