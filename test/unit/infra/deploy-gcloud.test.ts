// scripts/deploy-gcloud.sh --dry-run prints its gcloud commands; they must build what infra/ builds.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { EXECUTOR_DOCUMENT, EXECUTOR_EVENT_TYPE, FUNCTION_NODE_OPTIONS, FUNCTIONS } from '../../../lib/wiring/manifest';
import { EXECUTOR_DEAD_LETTER_TOPIC } from '../../../lib/wiring/gcp-adapters';
import { declaredIndexes } from './firestore-indexes';
import { loadFiles, Model, readTfDir } from './terraform';

const ROOT = join(__dirname, '../../..');

/** Splits a line printed with printf %q back into words. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') { cur += line[++i] ?? ''; started = true; } else if (c === ' ') { if (started) out.push(cur); cur = ''; started = false; } else { cur += c; started = true; }
  }
  if (started) out.push(cur);
  return out;
}

function dryRun(...args: string[]): string[][] {
  const r = spawnSync('bash', [join(ROOT, 'scripts/deploy-gcloud.sh'), '--project', 'my-project', '--dry-run', '--skip-build', ...args], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) throw new Error(`deploy-gcloud.sh failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.startsWith('+ gcloud ')).map((l) => words(l.slice(2)).slice(3)); // drop gcloud --project --quiet
}

const flag = (cmd: string[], name: string): string | undefined => cmd.find((w) => w.startsWith(`--${name}=`))?.slice(name.length + 3);
const startsWith = (cmds: string[][], ...prefix: string[]) => cmds.filter((c) => prefix.every((p, i) => c[i] === p));

describe('deploy-gcloud.sh', () => {
  let cmds: string[][];
  beforeAll(() => { cmds = dryRun(); });

  it('deploys every manifest function on nodejs22 with its entry point, never unauthenticated', () => {
    const deploys = startsWith(cmds, 'functions', 'deploy');
    expect(deploys.map((c) => [c[2], flag(c, 'entry-point'), flag(c, 'runtime')]))
      .toEqual(FUNCTIONS.map((f) => [`aloft-${f.name}`, f.entryPoint, 'nodejs22']));
    for (const c of deploys) {
      expect(c).toContain('--no-allow-unauthenticated');
      expect(flag(c, 'ingress-settings')).toBe(c[2] === 'aloft-api' ? 'all' : 'internal-only');
      expect(flag(c, 'set-env-vars')).toMatch(new RegExp(`ALOFT_FUNCTION_TIMEOUT_MS=${Number(flag(c, 'timeout')!.replace('s', '')) * 1000}$`));
      expect(flag(c, 'set-env-vars')).toContain(`NODE_OPTIONS=${FUNCTION_NODE_OPTIONS},`);
    }
    expect(cmds.flat()).not.toContain('--allow-unauthenticated');
  });

  it('sizes functions as infra/locals.tf does', async () => {
    const model = new Model(await loadFiles(readTfDir(join(ROOT, 'infra'))), { project_id: 'my-project' });
    const config = model.scope().local('function_config') as Record<string, Record<string, string | number>>;
    for (const c of startsWith(cmds, 'functions', 'deploy')) {
      const tf = config[c[2].replace(/^aloft-/, '')];
      expect([flag(c, 'memory'), flag(c, 'cpu'), flag(c, 'concurrency'), flag(c, 'timeout'), flag(c, 'min-instances'), flag(c, 'max-instances')])
        .toEqual([tf.memory, tf.cpu, String(tf.concurrency), `${tf.timeout_seconds}s`, String(tf.min_instances), String(tf.max_instances)]);
    }
  });

  it('pushes each manifest topic to its function with OIDC, retries and a dead-letter topic', () => {
    for (const fn of FUNCTIONS.filter((f) => f.trigger === 'pubsub')) {
      const [sub] = startsWith(cmds, 'pubsub', 'subscriptions', 'create').filter((c) => flag(c, 'topic') === fn.topic);
      expect(sub).toBeDefined();
      expect(flag(sub, 'push-endpoint')).toBe(`https://aloft-${fn.name}-uri.a.run.app/projects/my-project/topics/${fn.topic}`);
      expect(flag(sub, 'push-auth-service-account')).toBe('aloft-push@my-project.iam.gserviceaccount.com');
      expect(flag(sub, 'dead-letter-topic')).toBe(`projects/my-project/topics/${fn.topic}-dead-letter`);
      expect(flag(sub, 'min-retry-delay')).toBeDefined();
    }
  });

  it('creates the executor dead-letter topic with a subscription that keeps its dead letters, publishable by the executor only', () => {
    expect(startsWith(cmds, 'pubsub', 'topics', 'create').map((c) => c[3])).toContain(EXECUTOR_DEAD_LETTER_TOPIC);
    const [sub] = startsWith(cmds, 'pubsub', 'subscriptions', 'create').filter((c) => flag(c, 'topic') === EXECUTOR_DEAD_LETTER_TOPIC);
    expect(sub).toBeDefined();
    expect(flag(sub, 'push-endpoint')).toBeUndefined();
    expect(flag(sub, 'message-retention-duration')).toBe('7d');
    const grants = startsWith(cmds, 'pubsub', 'topics', 'add-iam-policy-binding', EXECUTOR_DEAD_LETTER_TOPIC);
    expect(grants.map((c) => [flag(c, 'member'), flag(c, 'role')])).toEqual([['serviceAccount:aloft-executor@my-project.iam.gserviceaccount.com', 'roles/pubsub.publisher']]);
  });

  it('wakes the executor on the manifest document through Eventarc, as protobuf', () => {
    const [trigger] = startsWith(cmds, 'eventarc', 'triggers', 'create');
    expect(flag(trigger, 'event-filters-path-pattern')).toBe(`document=${EXECUTOR_DOCUMENT}`);
    expect(flag(trigger, 'event-data-content-type')).toBe('application/protobuf');
    expect(trigger).toContain(`--event-filters=type=${EXECUTOR_EVENT_TYPE}`);
  });

  it('creates the same composite indexes as infra/firestore.tf', async () => {
    const model = new Model(await loadFiles(readTfDir(join(ROOT, 'infra'))), { project_id: 'my-project' });
    const tf = declaredIndexes(model).map((i) => `${i.scope.toLowerCase().replace('_', '-')} ${i.collection}: ${i.fields.map((f) => `${f.field_path} ${f.order.toLowerCase()}`).join(', ')}`).sort();
    const script = startsWith(cmds, 'firestore', 'indexes', 'composite', 'create').map((c) => `${flag(c, 'query-scope')} ${flag(c, 'collection-group')}: ${c
      .filter((w) => w.startsWith('--field-config=')).map((w) => /field-path=([^,]+),order=(\w+)/.exec(w)!.slice(1).join(' ')).join(', ')}`).sort();
    expect(script).toEqual(tf);
  });

  it('sets the same TTL policies as infra/firestore.tf', async () => {
    const model = new Model(await loadFiles(readTfDir(join(ROOT, 'infra'))), { project_id: 'my-project' });
    const tf = model.of('google_firestore_field').map((f) => model.attr(f, 'collection')).sort();
    expect(startsWith(cmds, 'firestore', 'fields', 'ttls', 'update').map((c) => flag(c, 'collection-group')).sort()).toEqual(tf);
  });

  it('calls the scheduler every minute with an OIDC token', () => {
    const [job] = startsWith(cmds, 'scheduler', 'jobs', 'create', 'http');
    expect(flag(job, 'schedule')).toBe('* * * * *');
    expect(flag(job, 'oidc-service-account-email')).toBe('aloft-cron@my-project.iam.gserviceaccount.com');
  });

  it('grants no basic role', () => {
    const roles = cmds.map((c) => flag(c, 'role')).filter(Boolean);
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.filter((r) => /^roles\/(owner|editor|viewer)$/.test(r!))).toEqual([]);
  });

  it('prefixes topics and tells the functions so when the name prefix is not aloft', () => {
    const acme = dryRun('--prefix', 'acme');
    expect(startsWith(acme, 'pubsub', 'topics', 'create').map((c) => c[3])).toEqual(expect.arrayContaining(['acme-aloft-worker-core', `acme-${EXECUTOR_DEAD_LETTER_TOPIC}`]));
    expect(flag(startsWith(acme, 'functions', 'deploy')[0], 'set-env-vars')).toMatch(/ALOFT_TOPIC_PREFIX=acme-/);
  });

  it('refuses a public api invoker', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/deploy-gcloud.sh'), '--project', 'p', '--dry-run', '--skip-build', '--api-invoker', 'allUsers'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/never public/);
  });
});
