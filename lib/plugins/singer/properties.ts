// Property schemas of Kestra's Singer tasks (kestra-io/plugin-singer 0.4), including what they
// inherit from Kestra 0.4's AbstractBash and AbstractPython (runner, dockerOptions, env…), plus the
// last version's `taskRunner` and `containerImage`.
import { z } from 'zod';
import { TaskRunner } from '../scripts/task-runner';

export const DockerOptions = z.object({
  dockerHost: z.string().optional(),
  dockerConfig: z.string().optional(),
  image: z.string(),
  user: z.string().optional(),
  entryPoint: z.array(z.string()).optional(),
  extraHosts: z.array(z.string()).optional(),
}).strict();

const bash = {
  runner: z.enum(['PROCESS', 'DOCKER']).optional(),
  dockerOptions: DockerOptions.optional(),
  interpreter: z.string().optional(),
  interpreterArgs: z.array(z.string()).optional(),
  exitOnFailed: z.boolean().optional(),
  /** Deprecated in Kestra for outputFiles, still accepted. */
  files: z.array(z.string()).optional(),
  outputsFiles: z.array(z.string()).optional(),
  outputFiles: z.array(z.string()).optional(),
  inputFiles: z.record(z.string(), z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  warningOnStdErr: z.boolean().optional(),
};

const python = {
  pythonPath: z.string().optional(),
  args: z.array(z.string()).optional(),
  requirements: z.array(z.string()).optional(),
};

const singer = {
  ...bash,
  ...python,
  /** Name of the state file kept between executions. */
  stateName: z.string().optional(),
  pipPackages: z.array(z.string()).optional(),
  command: z.string().optional(),
  taskRunner: TaskRunner.optional(),
  containerImage: z.string().optional(),
};

export const StreamsConfiguration = z.object({
  stream: z.string().optional(),
  replicationMethod: z.enum(['FULL_TABLE', 'INCREMENTAL', 'LOG_BASED']).optional(),
  replicationKeys: z.string().optional(),
  propertiesPattern: z.array(z.string()).optional(),
  selected: z.boolean().optional(),
}).strict();

/** What every tap takes (./tap-kinds.ts builds the catalogue's taps on it). */
export const tap = {
  ...singer,
  streamsConfigurations: z.array(StreamsConfiguration).min(1),
  /** Output the raw Singer messages (for a target) rather than one row file per stream. */
  raw: z.boolean().optional(),
};

/** What every target takes. */
export const target = {
  ...singer,
  /** The raw Singer messages of a tap (its `raw` output). */
  from: z.string(),
};

/** Kestra's LocalDate properties. */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date such as 2019-07-01');

export const GitHubProperties = z.object({
  ...tap,
  accessToken: z.string().min(1),
  /** A list, or (Kestra's last version) the list as JSON text. */
  repositories: z.union([z.array(z.string()).min(1), z.string().min(1)]),
  startDate: isoDate,
  requestTimeout: z.number().int().positive().optional(),
}).strict();

export const PipelinewiseOracleProperties = z.object({
  ...tap,
  host: z.string().min(1),
  username: z.string().min(1),
  password: z.string().optional(),
  port: z.number().int(),
  sid: z.string(),
  filterSchemas: z.string().optional(),
}).strict();

export const AdswerveBigQueryProperties = z.object({
  ...target,
  projectId: z.string().min(1),
  datasetId: z.string().min(1),
  location: z.string().optional(),
  validateRecords: z.boolean().optional(),
  addMetadataColumns: z.boolean().optional(),
  replicationMethod: z.enum(['append', 'truncate']).optional(),
  tablePrefix: z.string().optional(),
  tableSuffix: z.string().optional(),
  maxCache: z.number().int().positive().optional(),
  /** The service account key, as JSON text. */
  serviceAccount: z.string().optional(),
  mergeStateMessages: z.boolean().optional(),
  tableConfigs: z.record(z.string(), z.unknown()).optional(),
}).strict();

export const FeatureName = z.enum(['CATALOG', 'DISCOVER', 'PROPERTIES', 'STATE']);

export const GenericTapProperties = z.object({
  ...tap,
  pipPackages: z.array(z.string()).min(1),
  command: z.string().min(1),
  features: z.array(FeatureName).min(1),
  /** The tap's config.json, as is. */
  configs: z.record(z.string(), z.unknown()).optional(),
}).strict();

export const GenericTargetProperties = z.object({
  ...target,
  pipPackages: z.array(z.string()).min(1),
  command: z.string().min(1),
  configs: z.record(z.string(), z.unknown()).optional(),
}).strict();

const uri = z.string();
export const TapOutputs = z.object({
  /** Row file of each stream (when raw is false). */
  streams: z.record(z.string(), uri).optional(),
  /** The raw Singer messages (when raw is true). */
  raw: uri.optional(),
  schemas: z.record(z.string(), uri).optional(),
  state: uri.optional(),
  count: z.record(z.string(), z.number()).optional(),
});
export const TargetOutputs = z.object({
  state: uri.optional(),
  /** Csv and Json: stream -> URI of the file the target wrote. */
  uris: z.record(z.string(), uri).optional(),
});
