// infra/ against functions/manifest.ts, offline: no Terraform binary can run here, so these checks
// read the HCL through @cdktf/hcl2json and evaluate it with variable defaults (and opt-in values).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FUNCTIONS, EXECUTOR_DOCUMENT, EXECUTOR_EVENT_TYPE, FUNCTION_NODE_OPTIONS } from '../../../lib/wiring/manifest';
import { EXECUTOR_DEAD_LETTER_TOPIC } from '../../../lib/wiring/gcp-adapters';
import { JOBS_PREFIX } from '../../../lib/plugins/gcp/run/container-job';
import { Check, checkInfra, only, type DirectDeadLetter, type ManifestFunction } from './checks';
import { isRef, refsIn } from './hcl-expr';
import { loadFiles, Model, readTfDir, type Config } from './terraform';

const INFRA = join(__dirname, '../../../infra');
const manifest = FUNCTIONS as readonly ManifestFunction[];
/** The executor consumes no topic but dead-letters the events it cannot read (lib/adapters/gcp/runtime-adapters.ts). */
const DIRECT_DEAD_LETTERS: DirectDeadLetter[] = [{ topic: EXECUTOR_DEAD_LETTER_TOPIC, publisher: 'executor' }];

const DEFAULTS = { project_id: 'my-project' };
const OPT_IN = {
  project_id: 'my-project', public_webhooks: true, api_token_secret_id: 'aloft-api-token',
  api_invokers: ['group:ops@example.com'], pubsub_trigger_topics: ['orders', 'projects/other/topics/payments'],
};

let config: Config;
beforeAll(async () => { config = await loadFiles(readTfDir(INFRA)); });

describe.each([['defaults', DEFAULTS], ['every opt-in on', OPT_IN]])('infra/ with %s', (_label, values) => {
  const findings = () => checkInfra(new Model(config, values as never), manifest, DIRECT_DEAD_LETTERS);

  it('deploys exactly the manifest functions with their entry points', () => {
    expect(only(findings(), Check.functions)).toEqual([]);
  });

  it('runs every function on nodejs22', () => {
    expect(only(findings(), Check.runtime)).toEqual([]);
  });

  it('wires each function to its trigger: Eventarc on the executor document, push subscriptions, Cloud Scheduler', () => {
    expect(only(findings(), Check.triggers)).toEqual([]);
  });

  it('gives every topic the code publishes to a subscription with retry and dead-letter policies', () => {
    expect(only(findings(), Check.topics)).toEqual([]);
  });

  it('grants no basic role and makes neither the executor nor a worker public', () => {
    expect(only(findings(), Check.iam)).toEqual([]);
  });

  it('types and describes every variable', () => {
    expect(only(findings(), Check.variables)).toEqual([]);
  });
});

describe('infra/', () => {
  it('wakes the executor on the document pattern of functions/manifest.ts', () => {
    const model = new Model(config, DEFAULTS);
    const [trigger] = model.of('google_eventarc_trigger');
    const criteria = model.attr(trigger, 'matching_criteria') as { attribute: string; value: unknown }[];
    expect(criteria.find((c) => c.attribute === 'document')?.value).toBe(EXECUTOR_DOCUMENT);
    expect(criteria.find((c) => c.attribute === 'type')?.value).toBe(EXECUTOR_EVENT_TYPE);
  });

  it('names topics as the code does once it prepends the ALOFT_TOPIC_PREFIX the functions get', () => {
    for (const prefix of ['aloft', 'acme']) {
      const model = new Model(config, { ...DEFAULTS, name_prefix: prefix });
      const env = model.attr(model.of('google_cloudfunctions2_function')[0], 'service_config', 0, 'environment_variables') as Record<string, unknown>;
      const topicPrefix = (env.ALOFT_TOPIC_PREFIX as string | undefined) ?? '';
      const names = model.of('google_pubsub_topic').map((t) => model.attr(t, 'name'));
      expect(topicPrefix).toBe(prefix === 'aloft' ? '' : `${prefix}-`);
      for (const fn of manifest.filter((f) => f.topic)) expect(names).toContain(`${topicPrefix}${fn.topic}`);
    }
  });

  it('passes the functions the settings lib/model/gcp-config.ts and lib/runtime/cloud/config.ts read', () => {
    const model = new Model(config, DEFAULTS);
    for (const fn of model.of('google_cloudfunctions2_function')) {
      const env = model.attr(fn, 'service_config', 0, 'environment_variables') as Record<string, unknown>;
      expect(Object.keys(env)).toEqual(expect.arrayContaining(['GOOGLE_CLOUD_PROJECT', 'ALOFT_FIRESTORE_DATABASE', 'ALOFT_BUCKET', 'ALOFT_FUNCTION_TIMEOUT_MS']));
      expect(env.GOOGLE_CLOUD_PROJECT).toBe('my-project');
      expect(env.NODE_OPTIONS).toBe(FUNCTION_NODE_OPTIONS);
      const timeout = model.attr(fn, 'service_config', 0, 'timeout_seconds') as number;
      expect(env.ALOFT_FUNCTION_TIMEOUT_MS).toBe(String(timeout * 1000));
    }
  });

  it('creates the public webhook gateway only on opt-in', () => {
    expect(new Model(config, DEFAULTS).of('google_api_gateway_gateway')).toEqual([]);
    expect(new Model(config, OPT_IN).of('google_api_gateway_gateway')).toHaveLength(1);
  });

  it('exposes only the webhook route through the gateway', () => {
    const template = readFileSync(join(INFRA, 'webhook-openapi.yaml.tftpl'), 'utf8');
    const spec = parseYaml(template.replace(/\$\{(\w+)\}/g, (_, name: string) => (name === 'backend' ? 'https://api.example' : name)));
    expect(Object.keys(spec.paths)).toEqual(['/api/v1/executions/webhook/{namespace}/{flowId}/{key}']);
    expect(spec['x-google-backend']).toMatchObject({ address: 'https://api.example', path_translation: 'APPEND_PATH_TO_ADDRESS' });
    expect(spec.securityDefinitions).toBeUndefined();
  });

  it('deletes execution files after the retention days, and Cloud Run job files left after 3 days, and keeps bucket access uniform', () => {
    const model = new Model(config, { ...DEFAULTS, execution_retention_days: 12 });
    const data = model.of('google_storage_bucket').find((b) => String(model.attr(b, 'name')).endsWith('-data'))!;
    expect(model.attr(data, 'uniform_bucket_level_access')).toBe(true);
    const rules = model.attr(data, 'lifecycle_rule') as { condition: Record<string, unknown>[]; action: { type: string }[] }[];
    expect(rules.filter((r) => r.action[0].type === 'Delete').map((r) => r.condition[0])).toEqual([
      { days_since_custom_time: 12 },
      { age: 3, matches_prefix: [`${JOBS_PREFIX}/`] },
    ]);
  });

  it('retains only what the blob store marks: the GCS adapter stamps customTime, which the retention rule keys on', () => {
    // Execution files share their prefix with flow state, so the rule uses daysSinceCustomTime; without
    // the stamp nothing is ever deleted.
    const store = readFileSync(join(__dirname, '../../../lib/adapters/gcp/gcs-blob-store.ts'), 'utf8');
    expect(store).toMatch(/customTime/);
  });

  it('gives worker-gcp, and no other function, the project roles the GCP plugin tasks need, or the roles a user lists instead', () => {
    const grants = (model: Model) => model.of('google_project_iam_member').filter((m) => m.resource.name === 'worker_gcp')
      .map((m) => ({ role: model.attr(m, 'role'), member: JSON.stringify(model.attr(m, 'member')) }));
    const byDefault = grants(new Model(config, DEFAULTS));
    expect(byDefault.map((g) => g.role).sort()).toEqual([
      'roles/bigquery.dataEditor', 'roles/bigquery.jobUser', 'roles/pubsub.publisher', 'roles/pubsub.subscriber', 'roles/storage.objectUser',
    ]);
    expect(new Set(byDefault.map((g) => g.member)).size).toBe(1);
    expect(byDefault[0].member).toMatch(/worker-gcp/);
    expect(grants(new Model(config, { ...DEFAULTS, worker_gcp_roles: ['roles/bigquery.user'] })).map((g) => g.role)).toEqual(['roles/bigquery.user']);
    expect(grants(new Model(config, { ...DEFAULTS, worker_gcp_roles: [] }))).toEqual([]);
  });

  it('requires Terraform 1.5 and both Google providers', () => {
    expect(config.settings[0].required_version).toBe('>= 1.5');
    const providers = (config.settings[0].required_providers as Record<string, { source: string }>[])[0];
    expect(Object.values(providers).map((p) => p.source).sort()).toEqual(['hashicorp/google', 'hashicorp/google-beta']);
  });

  it('outputs the API URL, the bucket and the topics, each described', () => {
    const names = config.outputs.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['api_url', 'bucket', 'topics', 'dead_letter_topics']));
    expect(config.outputs.filter((o) => typeof o.body.description !== 'string')).toEqual([]);
  });

  it('enables the API of every service it creates resources in', () => {
    const model = new Model(config, OPT_IN);
    const apis = model.of('google_project_service').map((s) => model.attr(s, 'service'));
    const needed: Record<string, string> = {
      google_cloudfunctions2_function: 'cloudfunctions.googleapis.com', google_eventarc_trigger: 'eventarc.googleapis.com',
      google_pubsub_topic: 'pubsub.googleapis.com', google_firestore_database: 'firestore.googleapis.com',
      google_cloud_scheduler_job: 'cloudscheduler.googleapis.com', google_storage_bucket: 'storage.googleapis.com',
      google_api_gateway_gateway: 'apigateway.googleapis.com', google_secret_manager_secret_iam_member: 'secretmanager.googleapis.com',
    };
    for (const [type, api] of Object.entries(needed)) {
      if (model.of(type).length > 0) expect(apis).toContain(api);
    }
    expect(apis).toEqual(expect.arrayContaining(['run.googleapis.com', 'cloudbuild.googleapis.com', 'artifactregistry.googleapis.com']));
  });

  it('builds each function from its own zip of build/functions', () => {
    const model = new Model(config, DEFAULTS);
    for (const fn of model.of('google_cloudfunctions2_function')) {
      const object = model.attr(fn, 'build_config', 0, 'source', 0, 'storage_source', 0, 'object');
      const [source] = refsIn(object!);
      expect(isRef(source) && source.path[0]).toBe(fn.key);
    }
    const uploads = model.of('google_storage_bucket_object').map((o) => model.attr(o, 'source'));
    expect(uploads).toEqual(manifest.map((f) => `../build/functions/${f.name}.zip`).sort());
  });
});
