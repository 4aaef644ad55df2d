// The flow page's topology (live from the editor), its revisions with a diff, the editor's completion from
// the flow JSON Schema, the plugins page, the namespaces (flows, KV store, files), and an execution's
// topology coloured by state, in headless Chromium against a real `aloft server`. Screenshots go to
// .aloft/ui-screenshots (not committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startServer, type Harness } from './server-harness';

jest.setTimeout(120_000);

const NS = 'io.aloft.uif';
const SHOTS = join(__dirname, '..', '..', '.aloft', 'ui-screenshots');

const v1 = `id: shape\nnamespace: ${NS}\ntasks:\n  - id: fan\n    type: io.kestra.plugin.core.flow.Parallel\n    tasks:\n      - id: left\n        type: io.kestra.plugin.core.log.Log\n        message: left\n      - id: right\n        type: io.kestra.plugin.core.log.Log\n        message: right\n  - id: last\n    type: io.kestra.core.tasks.executions.Fail\n`;
const v2 = v1.replace('message: right', 'message: right, changed');
const nightly = `id: nightly\nnamespace: ${NS}\ntasks:\n  - id: hello\n    type: io.kestra.plugin.core.log.Log\n    message: hi\ntriggers:\n  - id: schedule\n    type: io.kestra.plugin.core.trigger.Schedule\n    cron: "0 2 * * *"\n`;

describe('the flow and execution topology and the revisions of the web UI in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startServer();
    for (const yaml of [v1, v2, nightly]) expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route((url) => !url.href.startsWith(h.url), (r) => { errors.push(`outside request ${r.request().url()}`); return r.abort(); });
  });
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });
  afterEach(async () => {
    await page.screenshot({ path: join(SHOTS, `${expect.getState().currentTestName?.replace(/\W+/g, '-')}.png`) });
    expect(errors).toEqual([]);
  });

  it('draws the topology of what the editor holds, saved or not, and says when the flow has problems', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/shape`);
    await page.locator('.cm-content').waitFor();
    await page.getByRole('tab', { name: 'Topology' }).click();
    const graph = page.getByRole('img', { name: `Topology of ${NS}.shape` });
    await graph.waitFor();
    expect(await graph.locator('.node[data-task]').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-task')))).toEqual(['fan', 'left', 'right', 'last']);
    expect(await graph.locator('.cluster text').allTextContents()).toEqual(['fan']);
    // An unsaved edit shows at once: the editor's text is drawn, not the saved flow.
    await page.getByRole('tab', { name: 'Editor' }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('  - id: extra\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n');
    await page.getByRole('tab', { name: 'Topology' }).click();
    await graph.locator('.node[data-task=extra]').waitFor();
    await page.getByRole('tab', { name: 'Editor' }).click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('  - id: broken\n    type: io.kestra.core.tasks.debugs.Nope\n');
    await page.getByRole('tab', { name: 'Topology' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^The flow has problems \(see the editor\): .*io\.kestra\.core\.tasks\.debugs\.Nope/);
  });

  it('shows the revisions with the diff between two of them', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/shape`);
    await page.getByRole('tab', { name: 'Revisions' }).click();
    const diff = page.getByRole('region', { name: 'Diff' });
    await diff.waitFor();
    expect(await diff.locator('.del').allTextContents()).toEqual(['-         message: right']);
    expect(await diff.locator('.add').allTextContents()).toEqual(['+         message: right, changed']);
    await page.getByLabel('From').selectOption({ index: 1 });
    await page.getByRole('status').filter({ hasText: 'No difference' }).waitFor();
    expect(await diff.locator('.add, .del').count()).toBe(0);
  });

  it("colours an execution's topology by the state of each task", async () => {
    const id = (await h.call('POST', `/api/v1/executions/${NS}/shape?wait=true`, { json: {} })).body.id as string;
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    await page.locator('.execution-state', { hasText: 'FAILED' }).waitFor();
    await page.getByRole('tab', { name: 'Topology' }).click();
    const graph = page.getByRole('img', { name: `Topology of ${NS}.shape` });
    await graph.waitFor();
    const states = await graph.locator('.node[data-task]').evaluateAll((ns) => Object.fromEntries(ns.map((n) => [n.getAttribute('data-task'), n.getAttribute('data-state')])));
    expect(states).toEqual({ fan: 'SUCCESS', left: 'SUCCESS', right: 'SUCCESS', last: 'FAILED' });
  });

  it('completes task types and then the chosen type\'s properties from the flow JSON Schema', async () => {
    await page.goto(`${h.url}/ui/#/new`);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(`id: typed\nnamespace: ${NS}\ntasks:\n  - id: say\n    type: io.kestra.core.tasks.log.Lo`);
    await page.keyboard.type('g');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor();
    expect(await options.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('io.kestra.core.tasks.log.Log')]));
    await page.keyboard.press('Escape');
    await page.keyboard.insertText('\n    mes');
    await page.keyboard.type('s');
    await options.filter({ hasText: 'message' }).first().waitFor();
    // CodeMirror ignores keys for `interactionDelay` (75 ms) after the list opens, so that a key pressed as
    // it appears does not pick an option; a user reads the list first, and so does this test.
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    await page.keyboard.insertText('hello');
    expect(await page.locator('.cm-content').innerText()).toContain('    message: hello');
    // At the top level, the flow's own fields that are not written yet.
    await page.keyboard.insertText('\n');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Delete');
    await page.keyboard.type('i');
    await options.filter({ hasText: 'inputs' }).first().waitFor();
    const labels = await page.locator('.cm-tooltip-autocomplete li .cm-completionLabel').allTextContents();
    expect(labels).toContain('inputs');
    expect(labels).not.toContain('id');
  });

  it('lists every task type with a search, and shows one type\'s properties', async () => {
    await page.goto(`${h.url}/ui/#/plugins`);
    await page.getByRole('link', { name: 'io.kestra.core.tasks.scripts.Bash' }).waitFor();
    await page.getByLabel('Search').fill('core.tasks.log');
    await page.getByRole('link', { name: 'io.kestra.core.tasks.log.Log' }).click();
    const table = page.getByRole('table', { name: 'Properties' });
    await table.waitFor();
    expect(await table.locator('tr', { hasText: 'message' }).locator('td').nth(2).textContent()).toBe('yes');
    expect(await page.getByRole('link', { name: 'io.kestra.core.tasks.scripts.Bash' }).count()).toBe(0);
    await page.goto(`${h.url}/ui/#/plugins/io.nope.Nothing`);
    await page.getByRole('alert').filter({ hasText: 'No task or trigger type io.nope.Nothing.' }).waitFor();
  });

  it('lists the trigger types apart from the task types, and shows one trigger type\'s properties', async () => {
    await page.goto(`${h.url}/ui/#/plugins`);
    // The page stays mounted from the test before, its search with it.
    await page.getByLabel('Search').fill('');
    const triggers = page.getByRole('list', { name: 'Trigger types' });
    await triggers.getByRole('link', { name: 'io.kestra.core.models.triggers.types.Schedule' }).waitFor();
    expect(await triggers.getByRole('link', { name: 'io.kestra.core.tasks.log.Log' }).count()).toBe(0);
    expect(await page.getByRole('list', { name: 'Task types' }).getByRole('link', { name: 'io.kestra.core.models.triggers.types.Schedule' }).count()).toBe(0);
    await page.getByLabel('Search').fill('trigger.Webhook');
    expect(await triggers.getByRole('link').allTextContents()).toEqual(['io.kestra.core.models.triggers.types.Webhook']);
    await triggers.getByRole('link', { name: 'io.kestra.core.models.triggers.types.Webhook' }).click();
    const table = page.getByRole('table', { name: 'Properties' });
    await table.locator('tr', { hasText: 'key' }).first().waitFor();
    expect(await table.locator('tr', { hasText: 'key' }).first().locator('td').nth(2).textContent()).toBe('yes');
    expect(await page.getByText('trigger, runs; also io.kestra.plugin.core.trigger.Webhook').count()).toBe(1);
  });

  it('lists the triggers with their state, and the switch disables one as a new revision the editor shows', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/nightly`);
    await page.locator('.cm-content').waitFor();
    await page.getByRole('tab', { name: 'Triggers' }).click();
    const toggle = page.getByRole('switch', { name: 'schedule' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(await page.getByRole('table', { name: 'Triggers' }).locator('td').nth(2).textContent()).toBe('0 2 * * *');
    await toggle.click();
    await page.getByRole('switch', { name: 'schedule', checked: false }).waitFor();
    const flow = (await h.call('GET', `/api/v1/flows/${NS}/nightly`)).body;
    expect(flow.revision).toBe(2);
    expect(flow.triggers[0].disabled).toBe(true);
    await page.getByRole('tab', { name: 'Editor' }).click();
    expect(await page.locator('.cm-content').innerText()).toContain('disabled: true');
    await page.getByRole('tab', { name: 'Triggers' }).click();
    await page.getByRole('switch', { name: 'schedule' }).click();
    await page.getByRole('switch', { name: 'schedule', checked: true }).waitFor();
    expect((await h.call('GET', `/api/v1/flows/${NS}/nightly`)).body.triggers[0].disabled).toBeFalsy();
  });

  it("shows a namespace's flows, sets, reads and deletes a KV key, and edits a namespace file", async () => {
    await page.goto(`${h.url}/ui/#/namespaces`);
    await page.getByRole('link', { name: NS }).click();
    await page.getByRole('table', { name: 'Flows' }).getByRole('link', { name: 'nightly' }).waitFor();

    await page.getByRole('tab', { name: 'KV store' }).click();
    await page.getByLabel('Key', { exact: true }).fill('conf');
    await page.getByLabel(/^Value/).fill('{"region":"eu"}');
    await page.getByRole('button', { name: 'Set' }).click();
    const value = page.getByLabel('Value', { exact: true });
    await value.locator('pre').filter({ hasText: '"region": "eu"' }).waitFor();
    expect(await value.textContent()).toContain('JSON');
    expect((await h.call('GET', `/api/v1/namespaces/${NS}/kv/conf`)).body).toEqual({ type: 'JSON', value: { region: 'eu' } });
    await page.getByRole('button', { name: 'Delete conf' }).click();
    await page.getByRole('table', { name: 'Keys' }).waitFor({ state: 'detached' });
    expect((await h.call('GET', `/api/v1/namespaces/${NS}/kv/conf`)).status).toBe(404);

    await page.getByRole('tab', { name: 'Files' }).click();
    await page.getByLabel('New file').fill('scripts/hello.sh');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'hello.sh' }).waitFor();
    await page.getByLabel('File content').click();
    await page.keyboard.insertText('echo hello');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved /scripts/hello.sh.' }).waitFor();
    expect((await h.call('GET', `/api/v1/namespaces/${NS}/files?path=/scripts/hello.sh`)).body).toBe('echo hello');
    await page.getByRole('button', { name: 'Up' }).click();
    await page.getByRole('button', { name: 'scripts/' }).click();
    await page.getByRole('button', { name: 'hello.sh' }).click();
    await page.getByLabel('File content').filter({ hasText: 'echo hello' }).waitFor();
  });
});
