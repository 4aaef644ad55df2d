// What infra/ must satisfy against functions/manifest.ts. Each check returns findings (empty = pass),
// so a broken snippet shows exactly what is wrong. Triggers are wired outside the function resource:
// Eventarc for Firestore, push subscriptions for Pub/Sub, Cloud Scheduler for the scheduler.
import { isRef, refsIn, show, type Value } from './hcl-expr';
import type { Instance, Model } from './terraform';

export interface ManifestFunction {
  name: string;
  entryPoint: string;
  trigger: 'http' | 'firestore' | 'pubsub';
  topic?: string;
  document?: string;
}

export const Check = {
  functions: 'functions', runtime: 'runtime', triggers: 'triggers', topics: 'topics', iam: 'iam', variables: 'variables',
} as const;
export type Check = (typeof Check)[keyof typeof Check];

export interface Finding { check: Check; message: string }

/** A dead-letter topic a function publishes to itself (no dead_letter_policy points at it), by name before the prefix. */
export interface DirectDeadLetter { topic: string; publisher: string }

const FUNCTION = 'google_cloudfunctions2_function';
const FIRESTORE_WRITTEN = 'google.cloud.firestore.document.v1.written';
/** Events appended to the inbox are created, so `created` wakes the executor as well (and less often). */
const FIRESTORE_WAKES = [FIRESTORE_WRITTEN, 'google.cloud.firestore.document.v1.created'];
const PRIMITIVE_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
const PUBLIC_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];

type Report = (check: Check, message: string) => void;

export function checkInfra(model: Model, functions: readonly ManifestFunction[], directDeadLetters: readonly DirectDeadLetter[]): Finding[] {
  const findings: Finding[] = [];
  const report: Report = (check, message) => findings.push({ check, message });
  for (const u of model.unexpandable) report(Check.functions, `cannot expand ${u} statically`);
  const deployed = checkFunctions(model, functions, report);
  checkTriggers(model, functions, deployed, report);
  checkTopics(model, functions, directDeadLetters, deployed, report);
  checkIam(model, functions, deployed, report);
  checkVariables(model, report);
  return findings;
}

export const only = (findings: readonly Finding[], check: Check): string[] => findings.filter((f) => f.check === check).map((f) => f.message);

// ---- helpers ----------------------------------------------------------------------------------------

/** Follows references into other resources' configured attributes, so `x.y.name` becomes the name. */
function valueOf(model: Model, value: Value | undefined, depth = 0): Value | undefined {
  if (!isRef(value) || depth > 5) return value;
  const target = model.resolve(value);
  if (!target || target.rest.length === 0) return value;
  // A topic's or a database's id is derived from its name; compare by name.
  const rest = target.rest[0] === 'id' && target.rest.length === 1 ? ['name'] : target.rest;
  const resolved = model.attr(target.instance, ...rest);
  return resolved === undefined ? value : valueOf(model, resolved, depth + 1);
}

/** The instance of `type` that a value references, if any. */
function target(model: Model, value: Value | undefined, type: string): Instance | undefined {
  if (value === undefined) return undefined;
  for (const r of refsIn(value)) {
    const t = r.type === type ? model.resolve(r) : undefined;
    if (t) return t.instance;
  }
  return undefined;
}

const str = (v: Value | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const blocks = (model: Model, i: Instance, ...path: (string | number)[]): Record<string, unknown>[] => {
  const raw = model.attr(i, ...path);
  return Array.isArray(raw) ? (raw as Record<string, unknown>[]) : [];
};

// ---- functions and runtime ------------------------------------------------------------------------

/** Manifest name -> the one Terraform function instance deployed for it. */
function checkFunctions(model: Model, functions: readonly ManifestFunction[], report: Report): Map<string, Instance> {
  for (const i of model.of('google_cloudfunctions_function')) {
    report(Check.functions, `${i.address} is a 1st gen function; Aloft deploys 2nd gen (${FUNCTION}) only`);
  }
  const prefix = str(model.variable('name_prefix')) ?? 'aloft';
  const byName = new Map<string, Instance[]>();
  for (const i of model.of(FUNCTION)) {
    const name = str(model.attr(i, 'name'));
    if (!name) { report(Check.functions, `${i.address}: cannot evaluate its name statically (${show(model.attr(i, 'name') ?? null)})`); continue; }
    byName.set(name, [...(byName.get(name) ?? []), i]);
    const runtime = model.attr(i, 'build_config', 0, 'runtime');
    if (runtime !== 'nodejs22') report(Check.runtime, `${i.address} (${name}) runs ${show(runtime ?? null)}, not "nodejs22"`);
  }
  const deployed = new Map<string, Instance>();
  const expected = new Set<string>();
  for (const fn of functions) {
    const name = `${prefix}-${fn.name}`;
    expected.add(name);
    const found = byName.get(name) ?? [];
    if (found.length === 0) { report(Check.functions, `${fn.name} (entry point ${fn.entryPoint}) has no Terraform function named ${name}`); continue; }
    if (found.length > 1) report(Check.functions, `${fn.name} is declared ${found.length} times: ${found.map((i) => i.address).join(', ')}`);
    const [instance] = found;
    deployed.set(fn.name, instance);
    const entry = model.attr(instance, 'build_config', 0, 'entry_point');
    if (entry !== fn.entryPoint) report(Check.functions, `${instance.address} (${name}) has entry point ${show(entry ?? null)}; functions/ registers "${fn.entryPoint}"`);
  }
  for (const [name, instances] of byName) {
    if (!expected.has(name)) report(Check.functions, `${instances[0].address} (${name}) is not in functions/manifest.ts`);
  }
  return deployed;
}

// ---- triggers -----------------------------------------------------------------------------------------

function checkTriggers(model: Model, functions: readonly ManifestFunction[], deployed: Map<string, Instance>, report: Report): void {
  const eventarc = model.of('google_eventarc_trigger');
  const pushes = model.of('google_pubsub_subscription').filter((s) => blocks(model, s, 'push_config').length > 0);
  const jobs = model.of('google_cloud_scheduler_job');
  const targetOf = (i: Instance, ...path: (string | number)[]) => target(model, model.attr(i, ...path), FUNCTION);

  for (const job of jobs) {
    const fn = targetOf(job, 'http_target', 0, 'uri');
    if (!fn) report(Check.triggers, `${job.address} does not call a Cloud Function`);
    if (blocks(model, job, 'http_target', 0, 'oidc_token').length === 0) report(Check.triggers, `${job.address} calls without an OIDC token`);
  }

  for (const fn of functions) {
    const instance = deployed.get(fn.name);
    if (!instance) continue;
    const label = `${fn.name} (${instance.address})`;
    if (model.attr(instance, 'event_trigger') !== undefined) {
      report(Check.triggers, `${label} has an event_trigger block: its subscription would be Eventarc-managed, without our retry and dead-letter policy`);
    }
    const triggers = eventarc.filter((t) => targetOf(t, 'destination', 0, 'cloud_run_service', 0, 'service') === instance);
    const subs = pushes.filter((s) => targetOf(s, 'push_config', 0, 'push_endpoint') === instance);
    const crons = jobs.filter((j) => targetOf(j, 'http_target', 0, 'uri') === instance);

    if (fn.trigger !== 'firestore' && triggers.length > 0) report(Check.triggers, `${label} is a ${fn.trigger} function but ${triggers[0].address} sends it Eventarc events`);
    if (fn.trigger !== 'pubsub' && subs.length > 0) report(Check.triggers, `${label} is a ${fn.trigger} function but ${subs[0].address} pushes Pub/Sub messages to it`);
    if (fn.trigger !== 'http' && crons.length > 0) report(Check.triggers, `${label} is a ${fn.trigger} function but ${crons[0].address} calls it`);
    if (fn.name === 'scheduler' && crons.length !== 1) report(Check.triggers, `${label} must be called by exactly one Cloud Scheduler job; found ${crons.length}`);

    if (fn.trigger === 'firestore') checkFirestoreTrigger(model, fn, label, triggers, report);
    if (fn.trigger === 'pubsub') checkPushTrigger(model, fn, label, subs, report);
  }
}

function checkFirestoreTrigger(model: Model, fn: ManifestFunction, label: string, triggers: Instance[], report: Report): void {
  if (triggers.length !== 1) { report(Check.triggers, `${label} needs exactly one Eventarc trigger; found ${triggers.length}`); return; }
  const [t] = triggers;
  const criteria = blocks(model, t, 'matching_criteria').map((_, n) => ({
    attribute: str(model.attr(t, 'matching_criteria', n, 'attribute')),
    value: valueOf(model, model.attr(t, 'matching_criteria', n, 'value')),
    operator: str(model.attr(t, 'matching_criteria', n, 'operator')),
  }));
  const get = (attribute: string) => criteria.find((c) => c.attribute === attribute);
  const type = get('type')?.value;
  if (typeof type !== 'string' || !FIRESTORE_WAKES.includes(type)) report(Check.triggers, `${t.address} must match type ${FIRESTORE_WRITTEN}; has ${show(type ?? null)}`);
  const document = get('document');
  if (document?.value !== fn.document) report(Check.triggers, `${t.address} matches document ${show(document?.value ?? null)}; the code writes ${fn.document}`);
  else if (/[{*]/.test(fn.document ?? '') && document?.operator !== 'match-path-pattern') report(Check.triggers, `${t.address}: the document criterion needs operator "match-path-pattern"`);
  const database = model.of('google_firestore_database');
  const db = get('database');
  if (!db) report(Check.triggers, `${t.address} does not name the Firestore database`);
  else if (database.length === 1 && db.value !== valueOf(model, model.attr(database[0], 'name'))) {
    report(Check.triggers, `${t.address} listens to database ${show(db.value ?? null)}, not ${database[0].address}`);
  }
  if (database.length === 1) {
    const where = valueOf(model, model.attr(t, 'location'));
    const dbWhere = valueOf(model, model.attr(database[0], 'location_id'));
    if (JSON.stringify(where) !== JSON.stringify(dbWhere)) report(Check.triggers, `${t.address} is in ${show(where ?? null)} but the database is in ${show(dbWhere ?? null)}`);
  }
  if (model.attr(t, 'event_data_content_type') !== 'application/protobuf') report(Check.triggers, `${t.address} must set event_data_content_type = "application/protobuf"`);
  if (model.attr(t, 'service_account') === undefined) report(Check.triggers, `${t.address} has no service_account to invoke the function with`);
}

function checkPushTrigger(model: Model, fn: ManifestFunction, label: string, subs: Instance[], report: Report): void {
  const onTopic = subs.filter((s) => valueOf(model, model.attr(s, 'topic')) === fn.topic);
  if (onTopic.length !== 1) report(Check.triggers, `${label} needs exactly one push subscription on topic ${fn.topic}; found ${onTopic.length}`);
  for (const s of subs) {
    if (blocks(model, s, 'push_config', 0, 'oidc_token').length === 0) report(Check.triggers, `${s.address} pushes to ${fn.name} without an OIDC token`);
  }
}

// ---- topics -------------------------------------------------------------------------------------------

function checkTopics(
  model: Model, functions: readonly ManifestFunction[], directDeadLetters: readonly DirectDeadLetter[], deployed: Map<string, Instance>, report: Report,
): void {
  const topics = model.of('google_pubsub_topic');
  const subs = model.of('google_pubsub_subscription');
  const topicName = (i: Instance) => valueOf(model, model.attr(i, 'name'));
  const subsOf = (topic: Instance) => subs.filter((s) => {
    const t = model.attr(s, 'topic');
    return target(model, t, 'google_pubsub_topic') === topic || valueOf(model, t) === topicName(topic);
  });
  const publishers = model.of('google_pubsub_topic_iam_member').filter((m) => model.attr(m, 'role') === 'roles/pubsub.publisher' && isPubSubAgent(model, m));
  const subscribers = model.of('google_pubsub_subscription_iam_member').filter((m) => model.attr(m, 'role') === 'roles/pubsub.subscriber' && isPubSubAgent(model, m));

  for (const name of new Set(functions.map((f) => f.topic).filter((t): t is string => !!t))) {
    const found = topics.filter((t) => topicName(t) === name);
    if (found.length !== 1) { report(Check.topics, `topic ${name} is declared ${found.length} times (the code publishes to it)`); continue; }
    if (subsOf(found[0]).length === 0) report(Check.topics, `topic ${name} (${found[0].address}) has no subscription`);
  }

  const direct = new Set<Instance>();
  for (const { topic: name, publisher } of directDeadLetters) {
    const found = topics.filter((t) => topicName(t) === name);
    if (found.length !== 1) { report(Check.topics, `dead-letter topic ${name} is declared ${found.length} times (${publisher} publishes to it)`); continue; }
    const [topic] = found;
    direct.add(topic);
    if (subsOf(topic).length === 0) report(Check.topics, `${topic.address} is a dead-letter topic without a subscription: dead letters would be dropped`);
    const granted = model.of('google_pubsub_topic_iam_member')
      .filter((m) => model.attr(m, 'role') === 'roles/pubsub.publisher' && target(model, model.attr(m, 'topic'), 'google_pubsub_topic') === topic)
      .map((m) => target(model, model.attr(m, 'member'), 'google_service_account'));
    const accountOf = (fn: string) => {
      const instance = deployed.get(fn);
      return instance && target(model, model.attr(instance, 'service_config', 0, 'service_account_email'), 'google_service_account');
    };
    const own = accountOf(publisher);
    if (!own || !granted.includes(own)) report(Check.topics, `${topic.address}: ${publisher}'s service account is not roles/pubsub.publisher on it, so its dead letters would fail`);
    for (const fn of functions) {
      const account = fn.name === publisher ? undefined : accountOf(fn.name);
      if (account && granted.includes(account)) report(Check.topics, `${topic.address}: ${fn.name} may publish to it; only ${publisher} dead-letters there`);
    }
  }

  const deadLetterTopics = new Set<Instance>();
  for (const s of subs) {
    const isPush = blocks(model, s, 'push_config').length > 0;
    const source = target(model, model.attr(s, 'topic'), 'google_pubsub_topic');
    const dlp = blocks(model, s, 'dead_letter_policy');
    if (dlp.length === 0) {
      // Only the subscriptions that drain dead-letter topics may lack one.
      if (isPush || !source || !(direct.has(source) || isDeadLetterTopic(model, source))) report(Check.topics, `${s.address} has no dead_letter_policy`);
      continue;
    }
    const dlt = target(model, model.attr(s, 'dead_letter_policy', 0, 'dead_letter_topic'), 'google_pubsub_topic');
    if (!dlt) { report(Check.topics, `${s.address}: its dead_letter_topic is not a topic declared here`); continue; }
    if (dlt === source) report(Check.topics, `${s.address} dead-letters into its own topic`);
    deadLetterTopics.add(dlt);
    if (blocks(model, s, 'retry_policy').length === 0) report(Check.topics, `${s.address} has no retry_policy`);
    if (!subscribers.some((m) => target(model, model.attr(m, 'subscription'), 'google_pubsub_subscription') === s)) {
      report(Check.topics, `${s.address}: the Pub/Sub service agent is not roles/pubsub.subscriber on it, so it cannot forward dead letters`);
    }
  }
  for (const dlt of deadLetterTopics) {
    if (!publishers.some((m) => target(model, model.attr(m, 'topic'), 'google_pubsub_topic') === dlt)) {
      report(Check.topics, `${dlt.address}: the Pub/Sub service agent is not roles/pubsub.publisher on this dead-letter topic`);
    }
    if (subsOf(dlt).length === 0) report(Check.topics, `${dlt.address} is a dead-letter topic without a subscription: dead letters would be dropped`);
  }
}

function isDeadLetterTopic(model: Model, topic: Instance): boolean {
  return model.of('google_pubsub_subscription').some((s) => target(model, model.attr(s, 'dead_letter_policy', 0, 'dead_letter_topic'), 'google_pubsub_topic') === topic);
}

/** The member is the Pub/Sub service agent (service-<number>@gcp-sa-pubsub...). */
function isPubSubAgent(model: Model, member: Instance): boolean {
  const value = model.attr(member, 'member');
  if (value === undefined) return false;
  if (refsIn(value).some((r) => r.type === 'google_project_service_identity')) return true;
  return /gcp-sa-pubsub/.test(show(value));
}

// ---- IAM and access -----------------------------------------------------------------------------------

function checkIam(model: Model, functions: readonly ManifestFunction[], deployed: Map<string, Instance>, report: Report): void {
  // Any mention of a basic role, even in a local list, is a finding.
  walkStrings([...model.config.resources.map((r) => r.body), ...[...model.config.locals.values()].map((l) => l.raw)], (s) => {
    const m = /roles\/(owner|editor|viewer)\b/.exec(s);
    if (m) report(Check.iam, `basic role ${m[0]} appears in ${JSON.stringify(s)}`);
  });
  for (const i of model.instances) {
    const roles = [model.attr(i, 'role'), ...asArray(model.attr(i, 'roles'))].filter((r) => r !== undefined);
    for (const role of roles) {
      // A custom role declared in infra/ lists its permissions there, so it is no basic role.
      if (typeof role !== 'string' && refsIn(role).some((r) => r.type === 'google_project_iam_custom_role')) continue;
      if (typeof role !== 'string') report(Check.iam, `${i.address}: cannot evaluate its role statically (${show(role ?? null)})`);
      else if (PRIMITIVE_ROLES.includes(role)) report(Check.iam, `${i.address} grants the basic role ${role}`);
    }
    if (/_iam_(member|binding|policy)$/.test(i.resource.type)) checkPublicMembers(model, i, functions, deployed, report);
  }

  const accounts = new Map<Instance, string>();
  for (const fn of functions) {
    const instance = deployed.get(fn.name);
    if (!instance) continue;
    const ingress = model.attr(instance, 'service_config', 0, 'ingress_settings');
    if (fn.trigger !== 'http' && ingress !== 'ALLOW_INTERNAL_ONLY') report(Check.iam, `${fn.name} takes ${fn.trigger} events only, but its ingress is ${show(ingress ?? null)}, not "ALLOW_INTERNAL_ONLY"`);
    const sa = target(model, model.attr(instance, 'service_config', 0, 'service_account_email'), 'google_service_account');
    if (!sa) { report(Check.iam, `${fn.name} does not run as a service account declared here (the default compute account is an editor)`); continue; }
    if (accounts.has(sa)) report(Check.iam, `${fn.name} shares its service account ${sa.address} with ${accounts.get(sa)}`);
    accounts.set(sa, fn.name);
  }
}

function checkPublicMembers(model: Model, i: Instance, functions: readonly ManifestFunction[], deployed: Map<string, Instance>, report: Report): void {
  const members = [model.attr(i, 'member'), ...asArray(model.attr(i, 'members'))];
  const pub = members.find((m) => typeof m === 'string' && PUBLIC_MEMBERS.includes(m));
  if (!pub) return;
  const fnInstance = ['name', 'service', 'cloud_function'].map((a) => target(model, model.attr(i, a), FUNCTION)).find(Boolean);
  const fn = functions.find((f) => deployed.get(f.name) === fnInstance);
  if (!fn) { report(Check.iam, `${i.address} grants ${pub} access to something other than the api`); return; }
  if (fn.trigger !== 'http' || fn.name !== 'api') { report(Check.iam, `${i.address} makes ${fn.name} public (${pub}); executor, workers and the scheduler are never public`); return; }
  const gate = JSON.stringify([i.resource.body.count, i.resource.body.for_each]);
  if (!gate.includes('var.public_webhooks')) report(Check.iam, `${i.address} makes the api public (${pub}) without the public_webhooks opt-in`);
}

function asArray(v: Value | undefined): Value[] {
  return Array.isArray(v) ? v : [];
}

function walkStrings(raw: unknown, visit: (s: string) => void): void {
  if (typeof raw === 'string') visit(raw);
  else if (Array.isArray(raw)) raw.forEach((r) => walkStrings(r, visit));
  else if (raw && typeof raw === 'object') Object.values(raw).forEach((r) => walkStrings(r, visit));
}

// ---- variables ----------------------------------------------------------------------------------------

function checkVariables(model: Model, report: Report): void {
  for (const v of model.config.variables) {
    if (typeof v.body.type !== 'string' || v.body.type === '') report(Check.variables, `variable "${v.name}" (${v.file}) has no type`);
    if (typeof v.body.description !== 'string' || v.body.description.trim() === '') report(Check.variables, `variable "${v.name}" (${v.file}) has no description`);
  }
}
