// bench:bigquery — a BigQuery Query (store: true) of ROWS rows (default 100,000 then 1,000,000) from
// the fake BigQuery (wire protocol, 100k rows per page as BigQuery pages them, in a child process)
// into local internal storage, on the embedded runtime. Prints one JSON line per row count.
// Not a test: figures go into notes, never into assertions.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { getHeapStatistics } from 'node:v8';
import { LocalRuntime } from '../lib/runtime/embedded/runtime';

const COUNTS = (process.env.ROWS ?? '100000,1000000').split(',').map(Number);
const PAGE = Number(process.env.PAGE ?? 100_000);

const FLOW = `id: bench-bigquery
namespace: bench
tasks:
  - id: query
    type: io.kestra.plugin.gcp.bigquery.Query
    projectId: bench
    sql: SELECT * FROM bench
    store: true
`;

const round = (n: number): number => Math.round(n * 10) / 10;
const mb = (bytes: number): number => round(bytes / 2 ** 20);

async function fakeFor(rows: number): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'bench/bigquery-fake.ts'], {
    env: { ...process.env, ROWS: String(rows), PAGE: String(PAGE) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [endpoint] = await once(createInterface({ input: child.stdout }), 'line') as [string];
  return { endpoint, stop: async () => { child.kill('SIGTERM'); await once(child, 'exit'); } };
}

async function run(rows: number): Promise<void> {
  const fake = await fakeFor(rows);
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-bq-'));
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dataDir, BIGQUERY_EMULATOR_HOST: fake.endpoint, METADATA_SERVER_DETECTION: 'none' } });
  const peak = { rss: 0, heap: 0, external: 0 };
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapTotal);
    peak.external = Math.max(peak.external, m.external);
  };
  const sampler = setInterval(sample, 20);
  try {
    const { flow } = await runtime.deploy(FLOW, 'bench-bigquery.yml');
    await runtime.start();
    const baseline = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    const execution = await runtime.waitForEnd((await runtime.startExecution({ flow })).id);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // CPU time of this process (the task, the runtime, the client): on a machine shared with other jobs,
    // rows per CPU second says what the code costs, where rows per wall second also says what the others took.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    sample();
    const query = execution.taskRunList.find((r) => r.taskId === 'query');
    if (execution.state.current !== 'SUCCESS') throw new Error(`the flow ended ${execution.state.current}: ${JSON.stringify(query?.error)}`);
    console.log(JSON.stringify({
      bench: 'bigquery', rows, page: PAGE, stored: query?.outputs?.size, seconds: round(seconds), rows_per_s: Math.round(rows / seconds),
      cpu_s: round(cpuSeconds), rows_per_cpu_s: Math.round(rows / cpuSeconds), load_avg_1m: round(loadavg()[0]),
      peak_rss_mb: mb(peak.rss), baseline_rss_mb: mb(baseline), peak_heap_mb: mb(peak.heap), peak_external_mb: mb(peak.external),
      heap_limit_mb: mb(getHeapStatistics().heap_size_limit), node: process.version,
    }));
  } finally {
    clearInterval(sampler);
    await runtime.stop();
    await fake.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const rows of COUNTS) await run(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
