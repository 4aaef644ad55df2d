// The checker must catch what it claims to: each test breaks a copy of infra/ in one way.
import { join } from 'node:path';
import { FUNCTIONS } from '../../../lib/wiring/manifest';
import { EXECUTOR_DEAD_LETTER_TOPIC } from '../../../lib/wiring/gcp-adapters';
import { Check, checkInfra, only, type DirectDeadLetter, type ManifestFunction } from './checks';
import { loadFiles, Model, readTfDir, type TfFile } from './terraform';

const INFRA = join(__dirname, '../../../infra');
const manifest = FUNCTIONS as readonly ManifestFunction[];
const DIRECT_DEAD_LETTERS: DirectDeadLetter[] = [{ topic: EXECUTOR_DEAD_LETTER_TOPIC, publisher: 'executor' }];

/** The real infra/ files, with `edits` applied; each edit must find its text. */
function infra(edits: { file: string; from: string | RegExp; to: string }[] = [], extra: TfFile[] = []): TfFile[] {
  const files = readTfDir(INFRA);
  for (const e of edits) {
    const f = files.find((x) => x.name === e.file);
    if (!f) throw new Error(`no ${e.file} in infra/`);
    const next = f.text.replace(e.from, e.to);
    if (next === f.text) throw new Error(`edit did not apply to ${e.file}: ${String(e.from)}`);
    f.text = next;
  }
  return [...files, ...extra];
}

async function findings(files: TfFile[], values: Record<string, unknown> = {}) {
  return checkInfra(new Model(await loadFiles(files), { project_id: 'my-project', ...values } as never), manifest, DIRECT_DEAD_LETTERS);
}

describe('infra checks', () => {
  it('find nothing wrong in the unmodified infra', async () => {
    expect(await findings(infra())).toEqual([]);
  });

  it('report a function whose entry point differs from the manifest', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: 'entry_point = "workerJdbc"', to: 'entry_point = "workerJDBC"' }]));
    expect(only(f, Check.functions)).toEqual([expect.stringContaining('has entry point "workerJDBC"; functions/ registers "workerJdbc"')]);
  });

  it('report a manifest function missing from Terraform', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: /\n\s*"worker-serdes"\s*= \{ entry_point[^\n]*/, to: '' }]));
    expect(only(f, Check.functions)).toContainEqual(expect.stringContaining('worker-serdes (entry point workerSerdes) has no Terraform function'));
  });

  it('report a Terraform function the manifest does not list', async () => {
    const extra = { name: 'extra.tf', text: `
resource "google_cloudfunctions2_function" "stray" {
  name = "aloft-webhook"
  build_config {
    runtime     = "nodejs22"
    entry_point = "webhook"
  }
}` };
    const f = await findings(infra([], [extra]));
    expect(only(f, Check.functions)).toEqual(['google_cloudfunctions2_function.stray (aloft-webhook) is not in functions/manifest.ts']);
  });

  it('report a runtime other than nodejs22', async () => {
    const f = await findings(infra([{ file: 'functions.tf', from: 'runtime         = "nodejs22"', to: 'runtime         = "nodejs20"' }]));
    expect(only(f, Check.runtime)).toHaveLength(manifest.length);
    expect(only(f, Check.runtime)[0]).toMatch(/runs "nodejs20", not "nodejs22"/);
  });

  it('report an executor trigger on a different document path than the code writes', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: 'document = "executions/{executionId}/inbox/{eventId}"', to: 'document = "executions/{executionId}"' }]));
    expect(only(f, Check.triggers)).toEqual([expect.stringContaining('matches document "executions/{executionId}"; the code writes executions/{executionId}/inbox/{eventId}')]);
  });

  it('report an Eventarc trigger on an event type that never wakes the executor', async () => {
    const f = await findings(infra([{ file: 'eventarc.tf', from: 'value     = var.executor_event_type', to: 'value     = "google.cloud.firestore.document.v1.deleted"' }]));
    expect(only(f, Check.triggers)).toEqual(['google_eventarc_trigger.executor must match type google.cloud.firestore.document.v1.written; has "google.cloud.firestore.document.v1.deleted"']);
  });

  it('report an Eventarc trigger without the protobuf content type', async () => {
    const f = await findings(infra([{ file: 'eventarc.tf', from: /\n\s*event_data_content_type = "application\/protobuf"/, to: '' }]));
    expect(only(f, Check.triggers)).toEqual(['google_eventarc_trigger.executor must set event_data_content_type = "application/protobuf"']);
  });

  it('report an Eventarc trigger outside the database location', async () => {
    const f = await findings(infra([{ file: 'eventarc.tf', from: 'location        = google_firestore_database.aloft.location_id', to: 'location        = "europe-west1"' }]));
    expect(only(f, Check.triggers)).toEqual(['google_eventarc_trigger.executor is in "europe-west1" but the database is in "us-central1"']);
  });

  it('report a push subscription without a dead-letter policy', async () => {
    const f = await findings(infra([{ file: 'pubsub.tf', from: /(resource "google_pubsub_subscription" "push" \{[\s\S]*?)\n  dead_letter_policy \{[^}]*\}/, to: '$1' }]));
    expect(only(f, Check.topics)).toEqual(expect.arrayContaining([
      'google_pubsub_subscription.push["worker-core"] has no dead_letter_policy',
      'google_pubsub_subscription.push["pubsub-trigger"] has no dead_letter_policy',
    ]));
  });

  it('report a dead-letter topic the Pub/Sub service agent cannot publish to', async () => {
    const f = await findings(infra([{ file: 'pubsub.tf', from: /resource "google_pubsub_topic_iam_member" "dead_letter_publisher" \{[\s\S]*?\n\}\n/, to: '' }]));
    expect(only(f, Check.topics)).toContainEqual('google_pubsub_topic.dead_letter["worker-jdbc"]: the Pub/Sub service agent is not roles/pubsub.publisher on this dead-letter topic');
  });

  it('report an executor dead-letter topic under another name than the code publishes to', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: 'executor_dead_letter_topic = "aloft-executor-dead-letter"', to: 'executor_dead_letter_topic = "aloft-executor-dlq"' }]));
    expect(only(f, Check.topics)).toContainEqual('dead-letter topic aloft-executor-dead-letter is declared 0 times (executor publishes to it)');
  });

  it('report an executor dead-letter topic nobody subscribes to', async () => {
    const f = await findings(infra([{ file: 'pubsub.tf', from: /resource "google_pubsub_subscription" "executor_dead_letter" \{[\s\S]*?\n\}\n/, to: '' }]));
    expect(only(f, Check.topics)).toEqual(['google_pubsub_topic.executor_dead_letter is a dead-letter topic without a subscription: dead letters would be dropped']);
  });

  it('report an executor that may not publish its dead letters, or another function that may', async () => {
    const f = await findings(infra([{ file: 'iam.tf', from: 'member = "serviceAccount:${google_service_account.fn["executor"].email}"\n}', to: 'member = "serviceAccount:${google_service_account.fn["scheduler"].email}"\n}' }]));
    expect(only(f, Check.topics)).toEqual([
      "google_pubsub_topic.executor_dead_letter: executor's service account is not roles/pubsub.publisher on it, so its dead letters would fail",
      'google_pubsub_topic.executor_dead_letter: scheduler may publish to it; only executor dead-letters there',
    ]);
  });

  it('report a worker topic with the wrong name', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: 'topic = "aloft-worker-kafka"', to: 'topic = "aloft-worker-kafka-v2"' }]));
    expect(only(f, Check.topics)).toEqual(['topic aloft-worker-kafka is declared 0 times (the code publishes to it)']);
    expect(only(f, Check.triggers)).toEqual([expect.stringContaining('worker-kafka (google_cloudfunctions2_function.fn["worker-kafka"]) needs exactly one push subscription on topic aloft-worker-kafka; found 0')]);
  });

  it('report a basic role, wherever it is written', async () => {
    const f = await findings(infra([{ file: 'iam.tf', from: '"roles/logging.logWriter"', to: '"roles/editor"' }]));
    expect(only(f, Check.iam)).toEqual(expect.arrayContaining([
      expect.stringContaining('basic role roles/editor appears'),
      'google_project_iam_member.build["roles/editor"] grants the basic role roles/editor',
    ]));
  });

  it('report a public invoker on the executor', async () => {
    const extra = { name: 'public.tf', text: `
resource "google_cloud_run_v2_service_iam_member" "oops" {
  location = var.region
  name     = google_cloudfunctions2_function.fn["executor"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}` };
    const f = await findings(infra([], [extra]));
    expect(only(f, Check.iam)).toEqual(['google_cloud_run_v2_service_iam_member.oops makes executor public (allUsers); executor, workers and the scheduler are never public']);
  });

  it('report a public api unless the public_webhooks opt-in gates it', async () => {
    const grant = (count: string) => ({ name: 'public.tf', text: `
resource "google_cloudfunctions2_function_iam_member" "api_public" {
  ${count}
  cloud_function = google_cloudfunctions2_function.fn["api"].name
  role           = "roles/cloudfunctions.invoker"
  member         = "allAuthenticatedUsers"
}` });
    expect(only(await findings(infra([], [grant('')])), Check.iam)).toEqual([expect.stringContaining('makes the api public (allAuthenticatedUsers) without the public_webhooks opt-in')]);
    expect(only(await findings(infra([], [grant('count = var.public_webhooks ? 1 : 0')]), { public_webhooks: true }), Check.iam)).toEqual([]);
  });

  it('report a worker reachable from outside the project', async () => {
    const f = await findings(infra([{ file: 'locals.tf', from: /("worker-gcp"\s*= \{[^}]*ingress = )"ALLOW_INTERNAL_ONLY"/, to: '$1"ALLOW_ALL"' }]));
    expect(only(f, Check.iam)).toEqual(['worker-gcp takes pubsub events only, but its ingress is "ALLOW_ALL", not "ALLOW_INTERNAL_ONLY"']);
  });

  it('report functions sharing one service account', async () => {
    const f = await findings(infra([{ file: 'functions.tf', from: 'google_service_account.fn[each.key].email', to: 'google_service_account.fn["api"].email' }]));
    expect(only(f, Check.iam)).toContainEqual('executor shares its service account google_service_account.fn["api"] with api');
  });

  it('report a variable without a description or a type', async () => {
    const extra = { name: 'vars.tf', text: 'variable "loose" {\n  default = 1\n}\n' };
    expect(only(await findings(infra([], [extra])), Check.variables)).toEqual([
      'variable "loose" (vars.tf) has no type',
      'variable "loose" (vars.tf) has no description',
    ]);
  });

  it('report a for_each it cannot evaluate rather than skip the resource', async () => {
    const f = await findings(infra([{ file: 'functions.tf', from: 'for_each = local.functions', to: 'for_each = jsondecode(file("functions.json"))' }]));
    expect(only(f, Check.functions)).toContainEqual(expect.stringContaining('cannot expand google_cloudfunctions2_function.fn'));
  });
});
