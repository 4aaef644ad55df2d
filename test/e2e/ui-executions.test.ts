// The UI's execution pages in headless Chromium against a real `aloft server`: the executions list with
// its filters and pages, the Gantt of task runs and attempts updating live, logs by level and by task,
// inputs and outputs with a file preview and download, restart from the failed task, replay from a chosen
// task, and resume with a Pause's onResume inputs. Screenshots go to .aloft/ui-screenshots (not committed).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { startServer, type Harness } from './server-harness';

jest.setTimeout(120_000);

const NS = 'io.aloft.uix';
const SHOTS = join(__dirname, '..', '..', '.aloft', 'ui-screenshots');

const quick = `id: quick\nnamespace: ${NS}\ntasks:\n  - id: one\n    type: io.kestra.core.tasks.debugs.Return\n    format: "{{ execution.id }}"\n`;
const levels = `id: levels\nnamespace: ${NS}\ninputs:\n  - id: doc\n    type: FILE\ntasks:\n  - id: chatty\n    type: io.kestra.core.tasks.log.Log\n    level: INFO\n    message: an info line\n  - id: grumpy\n    type: io.kestra.core.tasks.log.Log\n    level: WARN\n    message: a warning line\n  - id: answer\n    type: io.kestra.core.tasks.debugs.Return\n    format: forty-two\n`;
// Fails on its first attempt only, so a restart from the failed task succeeds.
const flaky = `id: flaky\nnamespace: ${NS}\ntasks:\n  - id: first\n    type: io.kestra.core.tasks.log.Log\n    message: before\n  - id: shaky\n    type: io.kestra.core.tasks.executions.Fail\n    condition: "{{ taskrun.attemptsCount == 0 }}"\n    errorMessage: not this time\n`;
const wide = `id: wide\nnamespace: ${NS}\ntasks:\n  - id: each\n    type: io.kestra.core.tasks.flows.EachParallel\n    value: '${JSON.stringify(Array.from({ length: 120 }, (_, i) => `v${i}`))}'\n    tasks:\n      - id: item\n        type: io.kestra.core.tasks.debugs.Return\n        format: "{{ taskrun.value }}"\n`;
const approval = `id: approval\nnamespace: ${NS}\ntasks:\n  - id: wait\n    type: io.kestra.plugin.core.flow.Pause\n    onResume:\n      - id: reason\n        type: STRING\n      - id: count\n        type: INT\n        defaults: 1\n  - id: after\n    type: io.kestra.core.tasks.log.Log\n    message: "approved because {{ outputs.wait.onResume.reason }} x{{ outputs.wait.onResume.count }}"\n`;

describe('the execution pages of the web UI in a browser', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  async function run(flowId: string, opts: { json?: unknown; body?: FormData } = {}): Promise<string> {
    const res = await h.call('POST', `/api/v1/executions/${NS}/${flowId}?wait=true`, opts.body ? { body: opts.body } : { json: opts.json ?? {} });
    expect(res.status).toBe(200);
    return res.body.id as string;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    h = await startServer();
    for (const yaml of [quick, levels, flaky, approval, wide]) expect((await h.call('POST', '/api/v1/flows', { yaml })).status).toBe(200);
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

  it('lists executions with filters and pages, and the flow page lists its own', async () => {
    for (let i = 0; i < 27; i++) await run('quick');
    const failed = await run('flaky');
    await page.goto(`${h.url}/ui/#/executions`);
    const rows = page.getByRole('table', { name: 'Executions' }).locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(25);
    await page.getByLabel('Flow').fill('quick');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Page 1').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Page 2').waitFor();
    await rows.nth(2).waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(2);
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByLabel('Flow').fill('');
    await page.getByLabel('State').selectOption('FAILED');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: failed }).waitFor();
    expect(await rows.count()).toBe(1);
    await page.goto(`${h.url}/ui/#/flows/${NS}/flaky`);
    await page.getByRole('tab', { name: 'Executions' }).click();
    await page.getByRole('link', { name: failed }).waitFor();
    expect(await rows.count()).toBe(1);
  });

  it('filters the executions list by labels, all of them, and says how to write one that is not key:value', async () => {
    const data = [await run('quick', { json: { labels: { team: 'lbl-data', env: 'prod' } } }), await run('quick', { json: { labels: { team: 'lbl-data', env: 'dev' } } })];
    await run('quick', { json: { labels: { team: 'lbl-web', env: 'prod' } } });
    await page.goto(`${h.url}/ui/#/executions`);
    const rows = page.getByRole('table', { name: 'Executions' }).locator('tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Labels').fill('team:lbl-data');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: data[0] }).waitFor();
    await page.getByRole('link', { name: data[1] }).waitFor();
    expect(await rows.count()).toBe(2);
    expect(await rows.first().locator('.label').allTextContents()).toEqual(expect.arrayContaining(['team:lbl-data']));
    await page.getByLabel('Labels').fill('team:lbl-data, env:prod');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: data[1] }).waitFor({ state: 'detached' });
    expect(await rows.count()).toBe(1);
    expect(await page.getByRole('link', { name: data[0] }).count()).toBe(1);
    await page.getByLabel('Labels').fill('team');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('alert').filter({ hasText: 'Labels are written key:value, separated by commas.' }).waitFor();
    expect(await rows.count()).toBe(0);
  });

  it('draws a Gantt of the task runs, filters logs by level and by task, and previews and downloads files', async () => {
    const form = new FormData();
    form.set('doc', new Blob(['first line\nsecond line\n']), 'notes.txt');
    const id = await run('levels', { body: form });
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    const gantt = page.getByRole('table', { name: 'Gantt' });
    expect(await gantt.locator('.gantt-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task')))).toEqual(['chatty', 'grumpy', 'answer']);
    expect(await gantt.locator('.gantt-bar[data-state=SUCCESS]').count()).toBe(3);

    await page.getByRole('tab', { name: 'Logs' }).click();
    const logs = page.getByLabel('Logs').locator('li');
    await logs.filter({ hasText: 'an info line' }).waitFor();
    await page.getByLabel('Level').selectOption('WARN');
    await logs.filter({ hasText: 'an info line' }).waitFor({ state: 'detached' });
    await logs.filter({ hasText: 'a warning line' }).waitFor();
    expect(await logs.allTextContents()).toEqual([expect.stringContaining('a warning line')]);
    await page.getByLabel('Level').selectOption('TRACE');
    await page.getByRole('tab', { name: 'Gantt' }).click();
    await gantt.getByRole('button', { name: 'chatty', exact: true }).click();
    await logs.filter({ hasText: 'an info line' }).waitFor();
    expect(await logs.allTextContents()).toEqual([expect.stringContaining('an info line')]);

    await page.getByRole('tab', { name: 'Outputs' }).click();
    const outputs = page.getByRole('table', { name: 'Outputs' });
    await outputs.locator('tr', { hasText: 'answer.value' }).filter({ hasText: 'forty-two' }).waitFor();
    const doc = outputs.locator('tr', { hasText: 'inputs.doc' });
    await doc.getByRole('button', { name: 'Preview' }).click();
    expect(await page.getByLabel('Preview').textContent()).toBe('first line\nsecond line\n');
    const [download] = await Promise.all([page.waitForEvent('download'), doc.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('notes.txt');
    expect(readFileSync((await download.path())!, 'utf8')).toBe('first line\nsecond line\n');
  });

  it('draws only the Gantt rows in view of a long execution, counts every run, and draws the last ones once scrolled to', async () => {
    const id = await run('wide');
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    const gantt = page.getByRole('table', { name: 'Gantt' });
    await page.locator('.gantt-summary[data-ended="121"]').waitFor();
    expect(await page.locator('.gantt-summary').textContent()).toBe('121 task runs: 121 SUCCESS');
    expect(await gantt.getAttribute('aria-rowcount')).toBe('121');
    const drawn = await gantt.locator('.gantt-row').count();
    expect(drawn).toBeGreaterThan(10);
    expect(drawn).toBeLessThan(121);
    expect(await gantt.locator('.gantt-row[aria-rowindex="121"]').count()).toBe(0);
    await gantt.evaluate((box) => { box.scrollTop = box.scrollHeight; });
    await gantt.locator('.gantt-row[aria-rowindex="121"]').waitFor();
    expect(await gantt.locator('.gantt-row[aria-rowindex="1"]').count()).toBe(0);
    expect(await gantt.getByRole('button', { name: 'item [v119]' }).count()).toBe(1);
  });

  it('restarts a failed execution from the failed task, the Gantt showing its second attempt', async () => {
    const id = await run('flaky');
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    const state = page.locator('.execution-state');
    await state.filter({ hasText: 'FAILED' }).waitFor();
    const shaky = page.locator('.gantt-row[data-task=shaky] .gantt-bar');
    expect(await shaky.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-state')))).toEqual(['FAILED']);
    await page.getByRole('button', { name: 'Restart' }).click();
    await state.filter({ hasText: 'SUCCESS' }).waitFor();
    await page.locator('.gantt-row[data-task=shaky] .gantt-bar[data-state=SUCCESS]').waitFor();
    expect(await shaky.evaluateAll((bars) => bars.map((b) => b.getAttribute('data-state')))).toEqual(['FAILED', 'SUCCESS']);
    // The task before it ran once: a restart runs again only what failed.
    expect(await page.locator('.gantt-row[data-task=first] .gantt-bar').count()).toBe(1);
  });

  it('replays an ended execution from a chosen task as a new execution', async () => {
    const id = await run('levels', { body: (() => { const f = new FormData(); f.set('doc', new Blob(['x']), 'x.txt'); return f; })() });
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    await page.getByLabel('Replay from').selectOption({ label: 'grumpy' });
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.waitForURL((url) => url.hash.startsWith('#/executions/') && !url.hash.endsWith(id));
    await page.getByRole('link', { name: id }).waitFor();
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    const replayed = decodeURIComponent(new URL(page.url()).hash.split('/').pop()!);
    const body = (await h.call('GET', `/api/v1/executions/${replayed}`)).body;
    expect(body.originalId).toBe(id);
    expect(body.state.current).toBe('SUCCESS');
  });

  it("resumes a paused execution with its Pause's onResume inputs, checked before they are sent, the Gantt following", async () => {
    const id = await run('approval');
    await page.goto(`${h.url}/ui/#/executions/${id}`);
    await page.locator('.execution-state', { hasText: 'PAUSED' }).waitFor();
    const resume = page.getByRole('region', { name: 'Resume' });
    await resume.waitFor();
    expect(await resume.getByLabel(/^count/).inputValue()).toBe('1');
    expect(await page.locator('.gantt-row[data-task=after]').count()).toBe(0);
    await resume.getByLabel(/^count/).fill('2.5');
    await resume.getByRole('button', { name: 'Resume' }).click();
    expect(await resume.locator('[role=alert]').allTextContents()).toEqual(['reason: required', 'count: expected INT (an integer)']);
    expect((await h.call('GET', `/api/v1/executions/${id}`)).body.state.current).toBe('PAUSED');
    await resume.getByLabel(/^reason/).fill('looks good');
    await resume.getByLabel(/^count/).fill('3');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await page.locator('.execution-state', { hasText: 'SUCCESS' }).waitFor();
    await page.locator('.gantt-row[data-task=after][data-state=SUCCESS]').waitFor();
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByLabel('Logs').locator('li', { hasText: 'approved because looks good x3' }).waitFor();
  });
});
