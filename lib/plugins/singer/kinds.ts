// What each Singer task type installs and runs, what it can do (its features), and how its
// properties become the tap's or target's config.json, as kestra-io/plugin-singer maps them.
import type { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import {
  AdswerveBigQueryProperties, GenericTapProperties, GenericTargetProperties, GitHubProperties, PipelinewiseOracleProperties,
} from './properties';

export const Feature = { CATALOG: 'CATALOG', DISCOVER: 'DISCOVER', PROPERTIES: 'PROPERTIES', STATE: 'STATE' } as const;
export type Feature = (typeof Feature)[keyof typeof Feature];

/** Files a kind writes beside config.json (a key file…), and variables they need. */
export interface ConfigExtras {
  files: Record<string, string>;
  env: Record<string, string>;
}

export interface SingerKind<P> {
  type: string;
  role: 'tap' | 'target';
  properties: z.ZodType<P>;
  pipPackages: (p: P) => readonly string[];
  command: (p: P) => string;
  features: (p: P) => readonly Feature[];
  /** config.json; `dir` is the working directory, for paths the config names. */
  config: (p: P, dir: string) => Record<string, unknown>;
  extras?: (p: P, dir: string) => ConfigExtras;
  /**
   * A target that writes files (Csv, Json): the folder, beside config.json, whose files become the
   * `uris` output, each under the stream name `streamOf` gives its file name.
   */
  destination?: { dir: string; streamOf: (fileName: string) => string };
}

type GitHub = z.infer<typeof GitHubProperties>;
type Oracle = z.infer<typeof PipelinewiseOracleProperties>;
type BigQuery = z.infer<typeof AdswerveBigQueryProperties>;
type GTap = z.infer<typeof GenericTapProperties>;
type GTarget = z.infer<typeof GenericTargetProperties>;

/** Leaves out the keys whose value is undefined, as Kestra's builders do. */
export const defined = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** As Kestra's GitHub tap: a list, or a JSON list as text. */
function repositoriesOf(r: string[] | string): string[] {
  if (Array.isArray(r)) return r;
  let parsed: unknown;
  try {
    parsed = JSON.parse(r);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) {
    throw new AloftError(ErrorCode.FLOW_INVALID, `repositories must be a list of owner/name, or that list as JSON text; got ${JSON.stringify(r.slice(0, 100))}`, { property: 'repositories' });
  }
  return parsed;
}

const github: SingerKind<GitHub> = {
  type: 'io.kestra.plugin.singer.taps.GitHub',
  role: 'tap',
  properties: GitHubProperties,
  pipPackages: (p) => p.pipPackages ?? ['tap-github'],
  command: (p) => p.command ?? 'tap-github',
  features: () => [Feature.PROPERTIES, Feature.DISCOVER, Feature.STATE],
  config: (p) => ({
    access_token: p.accessToken,
    repository: repositoriesOf(p.repositories).join(' '),
    start_date: p.startDate,
    request_timeout: p.requestTimeout ?? 300,
  }),
};

const oracle: SingerKind<Oracle> = {
  type: 'io.kestra.plugin.singer.taps.PipelinewiseOracle',
  role: 'tap',
  properties: PipelinewiseOracleProperties,
  pipPackages: (p) => p.pipPackages ?? ['pipelinewise-tap-oracle'],
  command: (p) => p.command ?? 'tap-oracle',
  features: () => [Feature.CATALOG, Feature.DISCOVER, Feature.STATE],
  config: (p) => defined({
    user: p.username, password: p.password ?? null, host: p.host, port: p.port, sid: p.sid, filter_schemas: p.filterSchemas,
  }),
};

const bigQuery: SingerKind<BigQuery> = {
  type: 'io.kestra.plugin.singer.targets.AdswerveBigQuery',
  role: 'target',
  properties: AdswerveBigQueryProperties,
  pipPackages: (p) => p.pipPackages ?? ['git+https://github.com/kestra-io/target-bigquery.git@fix'],
  command: (p) => p.command ?? 'target-bigquery',
  features: () => [],
  config: (p, dir) => defined({
    project_id: p.projectId,
    dataset_id: p.datasetId,
    validate_records: p.validateRecords ?? false,
    add_metadata_columns: p.addMetadataColumns ?? false,
    replication_method: p.replicationMethod ?? 'append',
    max_cache: p.maxCache ?? 50,
    location: p.location,
    table_prefix: p.tablePrefix,
    table_suffix: p.tableSuffix,
    // As Kestra: "0" when the last state message alone is kept.
    merge_state_messages: p.mergeStateMessages ? '0' : undefined,
    table_config: p.tableConfigs && Object.keys(p.tableConfigs).length > 0 ? `${dir}/table-config.json` : undefined,
  }),
  extras: (p, dir): ConfigExtras => ({
    files: {
      ...(p.tableConfigs && Object.keys(p.tableConfigs).length > 0 ? { 'table-config.json': JSON.stringify(p.tableConfigs) } : {}),
      ...(p.serviceAccount !== undefined ? { 'google-credentials.json': p.serviceAccount } : {}),
    },
    env: p.serviceAccount !== undefined ? { GOOGLE_APPLICATION_CREDENTIALS: `${dir}/google-credentials.json` } : {} as Record<string, string>,
  }),
};

const genericTap: SingerKind<GTap> = {
  type: 'io.kestra.plugin.singer.taps.GenericTap',
  role: 'tap',
  properties: GenericTapProperties,
  pipPackages: (p) => p.pipPackages,
  command: (p) => p.command,
  features: (p) => p.features,
  config: (p) => p.configs ?? {},
};

const genericTarget: SingerKind<GTarget> = {
  type: 'io.kestra.plugin.singer.targets.GenericTarget',
  role: 'target',
  properties: GenericTargetProperties,
  pipPackages: (p) => p.pipPackages,
  command: (p) => p.command,
  features: () => [],
  config: (p) => p.configs ?? {},
};

export const SINGER_KINDS: readonly SingerKind<any>[] = [github, oracle, bigQuery, genericTap, genericTarget];

/** What a catalogue kind says; `pipPackages` and `command` of the task override `pip` and `command`. */
export interface KindSpec<P> {
  pip: readonly string[];
  command: string;
  features: readonly Feature[];
  config: (p: P, dir: string) => Record<string, unknown>;
  extras?: (p: P, dir: string) => ConfigExtras;
  destination?: SingerKind<P>['destination'];
}

/** A kind of ./tap-kinds.ts or ./target-kinds.ts, named as Kestra does (`taps.Gitlab`). */
export function kindOf<P extends { pipPackages?: string[]; command?: string }>(name: `${'taps' | 'targets'}.${string}`, properties: z.ZodType<P>, spec: KindSpec<P>): SingerKind<P> {
  return {
    type: `io.kestra.plugin.singer.${name}`,
    role: name.startsWith('taps.') ? 'tap' : 'target',
    properties,
    pipPackages: (p) => p.pipPackages ?? spec.pip,
    command: (p) => p.command ?? spec.command,
    features: () => spec.features,
    config: spec.config,
    ...(spec.extras ? { extras: spec.extras } : {}),
    ...(spec.destination ? { destination: spec.destination } : {}),
  };
}
