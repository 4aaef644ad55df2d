// bench:burst — E executions x T chained Return tasks, all started at once on the embedded runtime.
// Prints one JSON line. Not a test: figures go into notes, never into assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../lib/runtime/local';
import type { Execution } from '../lib/model/execution';
import { percentiles } from './stats';

const E = Number(process.env.E ?? 4000);
const T = Number(process.env.T ?? 10);

function flowYaml(tasks: number): string {
  const lines = ['id: burst', 'namespace: bench', 'tasks:'];
  for (let i = 0; i < tasks; i++) {
    lines.push(`  - id: t${i}`, '    type: io.kestra.core.tasks.debugs.Return');
    lines.push(i === 0 ? '    format: "start"' : `    format: "{{ outputs.t${i - 1}.value | length }}-${i}"`);
  }
  return lines.join('\n');
}

function lagsMs(executions: Execution[]): number[] {
  const lags: number[] = [];
  for (const e of executions) {
    for (const run of e.taskRunList) {
      const created = Date.parse(run.state.histories[0].date);
      const running = run.state.histories.find((h) => h.state === 'RUNNING');
      if (running) lags.push(Date.parse(running.date) - created);
    }
  }
  return lags;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-'));
  const runtime = new LocalRuntime({ env: { ...process.env, ALOFT_DATA_DIR: dataDir } });
  const { flow } = await runtime.deploy(flowYaml(T));
  await runtime.start();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: E }, () => runtime.startExecution({ flow })));
  const finals = await Promise.all(started.map((e) => runtime.waitForEnd(e.id)));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const states: Record<string, number> = {};
  for (const f of finals) states[f.state.current] = (states[f.state.current] ?? 0) + 1;
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
  console.log(JSON.stringify({
    bench: 'burst', executions: E, tasks_per_execution: T, tasks: E * T, states,
    wall_s: +wall.toFixed(3),
    tasks_per_s: Math.round((E * T) / wall),
    cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    peak_rss_mb: Math.round(peakRss / 1048576),
    lag_ms: percentiles(lagsMs(finals)),
    internal_errors: runtime.internalErrors().length,
  }));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
