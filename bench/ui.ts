// bench:ui — the web UI's execution page and the executions list, on `aloft server` with its durable
// store (SQLite), in Debian's headless Chromium:
// - complete_gantt_ms: from opening the page of an ended execution with RUNS task runs (an EachParallel
//   and its children) to the Gantt holding every run: its summary counts RUNS ended runs and its first
//   rows are drawn (it draws the rows in view, as scrolled) (target <= 1 s);
// - live_lag_ms: while such an execution runs with the page open (it waits on a Pause until the page
//   shows it), how long after a run ended on the server (its last state date) the page counted it
//   ended: the k-th run to end against the first moment the Gantt's summary counted k ended runs
//   (target: none later than 1 s);
// - list_page_ms: GET /api/v1/executions/search over EXECUTIONS ended executions, by page number and by
//   pageToken (target <= 200 ms per page).
// Prints one JSON line. Not a test: figures go into docs/ui.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { newExecution } from '../lib/engine/step';
import { EventType } from '../lib/model/events';
import type { Flow } from '../lib/model/flow';
import { State } from '../lib/model/states';
import { openDataDir } from '../lib/runtime/embedded/data-dir';
import { LocalServer } from '../lib/wiring/local-server';
import { launchChromium } from '../test/e2e/chromium';
import { percentiles } from './stats';

const RUNS = Number(process.env.RUNS ?? 1000);
const EXECUTIONS = Number(process.env.EXECUTIONS ?? 100_000);
const LOADS = 5;
const NS = 'bench.ui';
const TERMINAL = ['SUCCESS', 'WARNING', 'FAILED', 'KILLED'];

const round = (x: number): number => +x.toFixed(1);
const summary = (ms: number[]) => Object.fromEntries(Object.entries(percentiles(ms)).map(([k, v]) => [k, round(v)]));

// A Pause (resumed once the page is open, so that the page watches every later change), one EachParallel
// run and RUNS - 2 children: RUNS task runs.
const values = JSON.stringify(Array.from({ length: RUNS - 2 }, (_, i) => `v${i}`));
const FLOW = `id: wide\nnamespace: ${NS}\ntasks:\n  - id: gate\n    type: io.kestra.core.tasks.flows.Pause\n  - id: each\n    type: io.kestra.core.tasks.flows.EachParallel\n    value: '${values}'\n    tasks:\n      - id: item\n        type: io.kestra.core.tasks.debugs.Return\n        format: "{{ taskrun.value }}"\n`;

async function call(url: string, method: string, path: string, body?: { yaml?: string; json?: unknown }): Promise<any> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: body?.yaml ? { 'content-type': 'application/x-yaml' } : body?.json ? { 'content-type': 'application/json' } : {},
    body: body?.yaml ?? (body?.json ? JSON.stringify(body.json) : undefined),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function ended(url: string, id: string): Promise<any> {
  for (;;) {
    const e = await call(url, 'GET', `/api/v1/executions/${id}`);
    if (TERMINAL.includes(e.state.current)) return e;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Records, in the page, each time the Gantt's count of ended runs changes: [wall-clock ms, count]. */
const WATCH = `(() => {
  window.__ended = [];
  const look = () => {
    const n = Number(document.querySelector('.gantt-summary')?.getAttribute('data-ended') ?? 0);
    if (n > (window.__ended.at(-1)?.[1] ?? 0)) window.__ended.push([Date.now(), n]);
  };
  new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ended'] });
})();`;

async function gantt(url: string): Promise<Record<string, unknown>> {
  await call(url, 'POST', '/api/v1/flows', { yaml: FLOW });
  const browser = await launchChromium();
  try {
    const page: Page = await browser.newPage();
    await page.addInitScript(WATCH);
    const started = await call(url, 'POST', `/api/v1/executions/${NS}/wide`, { json: {} });
    await page.goto(`${url}/ui/#/executions/${started.id}`);
    await page.locator('.execution-state', { hasText: 'PAUSED' }).waitFor({ timeout: 60_000 });
    await call(url, 'POST', `/api/v1/executions/${started.id}/resume`, { json: {} });
    const execution = await ended(url, started.id);
    type Ended = Array<[number, number]>;
    await page.waitForFunction((n) => ((window as unknown as { __ended: Ended }).__ended.at(-1)?.[1] ?? 0) >= n, execution.taskRunList.length, { timeout: 120_000 });
    const counted = await page.evaluate(() => (window as unknown as { __ended: Ended }).__ended);
    const ends = execution.taskRunList.map((r: { state: { histories: Array<{ date: string }> } }) => Date.parse(r.state.histories.at(-1)!.date)).sort((a: number, b: number) => a - b);
    const lags = ends.map((end: number, k: number) => counted.find(([, n]) => n >= k + 1)![0] - end);

    // The execution as the page's first event carries it: what the server spends before the browser does.
    const gets: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const t0 = performance.now();
      await call(url, 'GET', `/api/v1/executions/${started.id}`);
      gets.push(performance.now() - t0);
    }
    const loads: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      const p = await browser.newPage();
      const t0 = Date.now();
      await p.goto(`${url}/ui/#/executions/${started.id}`);
      await p.waitForFunction((n) => document.querySelector('.gantt-summary')?.getAttribute('data-ended') === String(n) && document.querySelector('.gantt-row') !== null, execution.taskRunList.length, { timeout: 60_000, polling: 'raf' });
      loads.push(Date.now() - t0);
      await p.close();
    }
    return { task_runs: execution.taskRunList.length, get_execution_ms: summary(gets), complete_gantt_ms: summary(loads), live_lag_ms: summary(lags), live_updates_over_1s: lags.filter((l: number) => l > 1000).length };
  } finally {
    await browser.close();
  }
}

/** EXECUTIONS ended executions written straight to the store, each with its first event consumed. */
async function fill(dir: string): Promise<void> {
  const adapters = await openDataDir(dir);
  try {
    const flow = { id: 'many', namespace: NS, revision: 1, tasks: [] } as unknown as Flow;
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    for (let start = 0; start < EXECUTIONS; start += 1000) {
      await Promise.all(Array.from({ length: Math.min(1000, EXECUTIONS - start) }, async (_, k) => {
        const i = start + k;
        const now = new Date(t0 + i * 1000);
        const e = newExecution({ id: `e${String(i).padStart(7, '0')}`, flow, inputs: {}, now });
        const done = { ...e, state: { current: State.SUCCESS, histories: [...e.state.histories, { state: State.SUCCESS, date: new Date(now.getTime() + 500).toISOString() }] } };
        await adapters.store.create(done, { key: 'created', event: { type: EventType.ExecutionCreated }, at: now.toISOString() });
        await adapters.store.transact(done.id, (x) => ({ execution: x, effects: [] }), now);
      }));
    }
  } finally {
    await adapters.close();
  }
}

async function list(url: string): Promise<Record<string, unknown>> {
  const time = async (path: string): Promise<{ ms: number; body: any }> => {
    const t0 = performance.now();
    const body = await call(url, 'GET', path);
    return { ms: performance.now() - t0, body };
  };
  const first: number[] = [];
  for (let i = 0; i < 20; i++) first.push((await time(`/api/v1/executions/search?namespace=${NS}&size=25`)).ms);
  const byToken: number[] = [];
  let token: string | undefined;
  for (let i = 0; i < 50; i++) {
    const r = await time(`/api/v1/executions/search?namespace=${NS}&size=25${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
    byToken.push(r.ms);
    token = r.body.nextPageToken;
  }
  const deep: Record<string, number> = {};
  for (const page of [2, 10, 100, 1000, Math.floor(EXECUTIONS / 25)]) deep[`page_${page}`] = round((await time(`/api/v1/executions/search?namespace=${NS}&size=25&page=${page}`)).ms);
  return { first_page_ms: summary(first), next_pages_by_token_ms: summary(byToken), page_by_number_ms: deep };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-bench-ui-'));
  try {
    // The bench runs bundled from node_modules/.cache: the UI is the repository's build (npm run runs at its root).
    const server = new LocalServer({ port: 0, pubsub: null, log: () => undefined, uiDir: join(process.cwd(), 'dist', 'ui'), env: { ALOFT_DATA_DIR: join(dir, 'gantt'), ALOFT_SCHEDULER_INTERVAL_MS: '0' } });
    const { url } = await server.listen();
    let ganttReport: Record<string, unknown>;
    try {
      ganttReport = await gantt(url);
    } finally {
      await server.stop();
    }
    const t0 = performance.now();
    await fill(join(dir, 'list'));
    const fillSeconds = round((performance.now() - t0) / 1000);
    const listServer = new LocalServer({ port: 0, pubsub: null, log: () => undefined, adapters: await openDataDir(join(dir, 'list')), env: { ALOFT_DATA_DIR: join(dir, 'list'), ALOFT_SCHEDULER_INTERVAL_MS: '0' } });
    const listed = await listServer.listen();
    let listReport: Record<string, unknown>;
    try {
      listReport = await list(listed.url);
    } finally {
      await listServer.stop();
    }
    console.log(JSON.stringify({ bench: 'ui', store: 'sqlite', ...ganttReport, executions: EXECUTIONS, fill_s: fillSeconds, ...listReport }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
