import { loadFiles, Model } from './terraform';
import { show } from './hcl-expr';

const files = [{
  name: 'main.tf',
  text: `
variable "prefix" {
  type        = string
  description = "p"
  default     = "aloft"
}
variable "project_id" {
  type        = string
  description = "no default"
}
locals {
  groups = { core = { topic = "worker-core" }, jdbc = { topic = "worker-jdbc" } }
}
resource "google_pubsub_topic" "worker" {
  for_each = local.groups
  name     = "\${var.prefix}-\${each.value.topic}"
}
resource "google_pubsub_subscription" "push" {
  for_each = local.groups
  name     = "\${var.prefix}-\${each.key}-push"
  topic    = google_pubsub_topic.worker[each.key].id
  push_config {
    push_endpoint = "https://x/\${var.project_id}"
  }
}
resource "google_service_account" "gateway" {
  count      = var.prefix == "aloft" ? 1 : 0
  account_id = "gw"
}
`,
}];

describe('terraform model', () => {
  it('expands for_each and count into addressed instances', async () => {
    const model = new Model(await loadFiles(files), { project_id: 'p' });
    expect(model.instances.map((i) => i.address).sort()).toEqual([
      'google_pubsub_subscription.push["core"]', 'google_pubsub_subscription.push["jdbc"]',
      'google_pubsub_topic.worker["core"]', 'google_pubsub_topic.worker["jdbc"]',
      'google_service_account.gateway[0]',
    ]);
  });

  it('evaluates attributes and nested blocks per instance', async () => {
    const model = new Model(await loadFiles(files), { project_id: 'p' });
    const [core] = model.of('google_pubsub_subscription');
    expect(model.attr(core, 'name')).toBe('aloft-core-push');
    expect(model.attr(core, 'push_config', 0, 'push_endpoint')).toBe('https://x/p');
  });

  it('resolves a reference to the instance it names', async () => {
    const model = new Model(await loadFiles(files), { project_id: 'p' });
    const jdbc = model.of('google_pubsub_subscription')[1];
    const topic = model.attr(jdbc, 'topic');
    const target = model.resolve(topic as never);
    expect(target && [target.instance.address, target.rest]).toEqual(['google_pubsub_topic.worker["jdbc"]', ['id']]);
  });

  it('applies variable overrides before expanding', async () => {
    const model = new Model(await loadFiles(files), { project_id: 'p', prefix: 'acme' });
    expect(model.of('google_service_account')).toEqual([]);
    expect(model.attr(model.of('google_pubsub_topic')[0], 'name')).toBe('acme-worker-core');
  });

  it('leaves a variable without default or value unknown', async () => {
    const model = new Model(await loadFiles(files));
    expect(show(model.variable('project_id'))).toBe('${var.project_id}');
  });

  it('rejects a file with a syntax error, naming the file', async () => {
    await expect(loadFiles([{ name: 'broken.tf', text: 'resource "google_pubsub_topic" "t" {\n  name = "x"\n' }])).rejects.toThrow(/broken\.tf/);
  });
});
