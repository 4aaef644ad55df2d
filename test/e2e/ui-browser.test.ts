// The web UI in headless Chromium against a real `aloft server`: the editor marks errors at their line
// as you type, a fixed flow saves, the dependency graph opens, and deleting an upstream flow shows
// Kestra's warning. Bad input shows a clear message, never a blank page. Screenshots go to
// .aloft/ui-screenshots (not committed).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { flowYaml, startServer, type Harness } from './server-harness';

jest.setTimeout(120_000);

const NS = 'io.aloft.ui';
const SHOTS = join(__dirname, '..', '..', '.aloft', 'ui-screenshots');
const WARNING = 'This flow has dependencies. Deleting it will prevent their dependencies to be executed.';

const withInputs = `id: greet\nnamespace: ${NS}\ninputs:\n  - id: who\n    type: STRING\n  - id: times\n    type: INT\n    defaults: 2\n  - id: doc\n    type: FILE\ntasks:\n  - id: say\n    type: io.kestra.core.tasks.log.Log\n    message: "hello {{ inputs.who }} x{{ inputs.times }} with {{ inputs.doc }}"\n`;
const gate = `id: gate\nnamespace: ${NS}\ntasks:\n  - id: wait\n    type: io.kestra.core.tasks.flows.Pause\n  - id: after\n    type: io.kestra.core.tasks.log.Log\n    message: through the gate\n`;
const badType = `id: typed\nnamespace: ${NS}\ntasks:\n  - id: one\n    type: io.kestra.core.tasks.debugs.Nope\n`;
const fixed = `id: typed\nnamespace: ${NS}\ntasks:\n  - id: one\n    type: io.kestra.core.tasks.debugs.Return\n    format: hi\n`;

describe('the web UI in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startServer();
    for (const yaml of [gate, withInputs, flowYaml(NS, 'child'), `id: parent\nnamespace: ${NS}\ntasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${NS}\n    flowId: child\n`]) {
      expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
    }
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything outside the server would be a load from the internet.
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

  async function typeFlow(source: string): Promise<void> {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(source);
  }

  it('lists the flows by namespace', async () => {
    await page.goto(`${h.url}/ui/`);
    await page.getByRole('link', { name: 'parent' }).waitFor();
    await page.getByLabel('Search').fill('chi');
    await page.getByRole('link', { name: 'child' }).waitFor();
    expect(await page.getByRole('link', { name: 'parent' }).count()).toBe(0);
  });

  it('filters the flows by labels, all of them, and says how to write one that is not key:value', async () => {
    const labelled = (id: string, labels: string) => `id: ${id}\nnamespace: ${NS}\nlabels:\n${labels}tasks:\n  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n`;
    expect((await h.call('POST', '/api/v1/flows', { yaml: labelled('tagged', '  team: lbl-data\n  env: prod\n') })).status).toBe(200);
    expect((await h.call('POST', '/api/v1/flows', { yaml: labelled('tagged-dev', '  team: lbl-data\n  env: dev\n') })).status).toBe(200);
    await page.goto(`${h.url}/ui/`);
    await page.getByRole('link', { name: 'parent' }).waitFor();
    await page.getByLabel('Labels').fill('team:lbl-data');
    await page.getByRole('link', { name: 'parent' }).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr a').allTextContents()).toEqual(['tagged', 'tagged-dev']);
    await page.getByLabel('Labels').fill('team:lbl-data, env:prod');
    await page.getByRole('link', { name: 'tagged-dev' }).waitFor({ state: 'detached' });
    expect(await page.locator('tbody tr a').allTextContents()).toEqual(['tagged']);
    expect(await page.locator('tbody tr .label').allTextContents()).toEqual(['team:lbl-data', 'env:prod']);
    await page.getByLabel('Labels').fill('team');
    await page.getByRole('alert').filter({ hasText: 'Labels are written key:value, separated by commas.' }).waitFor();
  });

  it('marks an unknown task type at its line as you type, then saves the fixed flow', async () => {
    await page.goto(`${h.url}/ui/#/new`);
    await typeFlow(badType);
    const problem = page.getByLabel('Problems').locator('li.error').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^line 5, column \d+: .*io\.kestra\.core\.tasks\.debugs\.Nope/);
    await page.locator('.cm-lintRange-error').first().waitFor();
    await typeFlow(fixed);
    await page.getByLabel('Problems').locator('li').first().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Save' }).click();
    // A new flow's page moves to its own address once saved.
    await page.waitForURL(`**/ui/#/flows/${NS}/typed`);
    await page.getByRole('heading', { name: `${NS}.typed` }).waitFor();
    expect((await h.call('GET', `/api/v1/flows/${NS}/typed`)).body.source).toBe(fixed);
  });

  it('says where YAML that does not parse breaks, and refuses to save it', async () => {
    await page.goto(`${h.url}/ui/#/new`);
    await typeFlow('id: broken\nnamespace: x\ntasks: [\n');
    const problem = page.getByLabel('Problems').locator('li.error').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/^line \d+, column \d+: /);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Not saved:' }).waitFor();
    expect((await h.call('GET', '/api/v1/flows/x/broken')).status).toBe(404);
  });

  it('opens the dependency graph and expands it', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/child`);
    await page.getByRole('tab', { name: 'Dependencies' }).click();
    const graph = page.getByRole('img', { name: `Dependencies of ${NS}.child` });
    await graph.waitFor();
    expect(await graph.locator('text').allTextContents()).toEqual(expect.arrayContaining([`${NS}.child`, `${NS}.parent`]));
    await page.getByLabel('Expand all').check();
    await page.locator('.edge-list li', { hasText: `${NS}.parent → ${NS}.child (FLOW_TASK)` }).waitFor();
  });

  it('warns before deleting a flow others depend on, naming them, and deletes nothing on cancel', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/child`);
    await page.getByRole('tab', { name: 'Editor' }).click();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    expect(await dialog.locator('.warning-text').textContent()).toBe(WARNING);
    expect(await dialog.locator('.dependents li').allTextContents()).toEqual([`${NS}.parent`]);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect((await h.call('GET', `/api/v1/flows/${NS}/child`)).status).toBe(200);
  });

  it('runs a flow from the form built from its typed inputs, a FILE upload included, and shows the execution', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/greet`);
    await page.getByRole('tab', { name: 'Execute' }).click();
    expect(await page.getByLabel(/^times/).inputValue()).toBe('2');
    await page.getByLabel(/^who/).fill('ada');
    await page.getByLabel(/^doc/).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('some notes') });
    await page.getByRole('button', { name: 'Execute' }).click();
    await page.waitForURL('**/ui/#/executions/*');
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    expect(await page.locator('.gantt-row').getAttribute('data-task')).toBe('say');
    await page.getByRole('tab', { name: 'Logs' }).click();
    const log = page.getByLabel('Logs').locator('li', { hasText: 'hello ada x2 with kestra:///' });
    await log.waitFor();
    expect(await log.textContent()).toContain('notes.txt');
  });

  it('offers the controls of the 1.x input types, a list of values for SELECT and MULTISELECT and a hidden SECRET, and the execution gets what was chosen', async () => {
    const yaml = `id: choose\nnamespace: ${NS}\ninputs:\n  - id: size\n    type: SELECT\n    values: [S, M, L]\n  - id: tags\n    type: MULTISELECT\n    values: [red, green, blue]\n  - id: token\n    type: SECRET\n  - id: loud\n    type: BOOL\n    defaults: false\n  - id: mail\n    type: EMAIL\ntasks:\n  - id: say\n    type: io.kestra.core.tasks.log.Log\n    message: "{{ inputs.size }} {{ inputs.tags | join(',') }} {{ inputs.loud }} {{ inputs.mail }}"\n`;
    expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
    await page.goto(`${h.url}/ui/#/flows/${NS}/choose`);
    await page.getByRole('tab', { name: 'Execute' }).click();
    expect(await page.getByLabel(/^size/).locator('option').allTextContents()).toEqual(['(choose)', 'S', 'M', 'L']);
    await page.getByLabel(/^size/).selectOption('M');
    await page.getByLabel(/^tags/).selectOption(['red', 'blue']);
    expect(await page.getByLabel(/^token/).getAttribute('type')).toBe('password');
    await page.getByLabel(/^token/).fill('s3cr3t-value');
    await page.getByLabel(/^loud/).check();
    expect(await page.getByLabel(/^mail/).getAttribute('type')).toBe('email');
    await page.getByLabel(/^mail/).fill('ada@example.com');
    await page.getByRole('button', { name: 'Execute' }).click();
    await page.waitForURL('**/ui/#/executions/*');
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    const id = page.url().split('/').pop()!;
    const execution = (await h.call('GET', `/api/v1/executions/${id}`)).body;
    expect(execution.inputs).toMatchObject({ size: 'M', tags: ['red', 'blue'], loud: true, mail: 'ada@example.com' });
    expect(JSON.stringify(execution)).not.toContain('s3cr3t-value');
  });

  it('refuses a wrong input type in the form with its message, before sending anything', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/greet`);
    await page.getByRole('tab', { name: 'Execute' }).click();
    await page.getByLabel(/^who/).fill('ada');
    await page.getByLabel(/^times/).fill('1.5');
    const before = (await h.call('GET', `/api/v1/executions/search?namespace=${NS}`)).body.results.length;
    await page.getByRole('button', { name: 'Execute' }).click();
    const messages = page.locator('form.execute [role=alert]');
    await messages.first().waitFor();
    expect(await messages.allTextContents()).toEqual(['times: expected INT (an integer)', 'doc: choose a file']);
    expect((await h.call('GET', `/api/v1/executions/search?namespace=${NS}`)).body.results.length).toBe(before);
  });

  it('kills a running execution, restarts it from the killed task and resumes it, the page following each change', async () => {
    const id = (await h.call('POST', `/api/v1/executions/${NS}/gate`, { json: {} })).body.id as string;
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    const state = page.locator('.execution-state');
    await state.filter({ hasText: 'PAUSED' }).waitFor();
    await page.getByRole('button', { name: 'Kill' }).click();
    await state.filter({ hasText: 'KILLED' }).waitFor();
    await page.getByRole('button', { name: 'Restart' }).click();
    await state.filter({ hasText: 'PAUSED' }).waitFor();
    await page.getByRole('button', { name: 'Resume' }).click();
    await state.filter({ hasText: 'SUCCESS' }).waitFor();
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByLabel('Logs').locator('li', { hasText: 'through the gate' }).waitFor();
    expect((await h.call('GET', `/api/v1/executions/${id}`)).body.state.current).toBe('SUCCESS');
  });

  it('says so for an execution that does not exist', async () => {
    await page.goto(`${h.url}/ui/#/executions/no-such-execution`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('No execution no-such-execution.');
  });

  it('says so for a flow that does not exist, instead of a blank page', async () => {
    await page.goto(`${h.url}/ui/#/flows/${NS}/nope`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(`No flow ${NS}.nope.`);
  });
});
