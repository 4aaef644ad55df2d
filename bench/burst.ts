// bench:burst — E executions x T chained Return tasks, all started at once on the embedded runtime.
// Prints one JSON line. FOREACH=1 then runs the same burst with the T tasks as one ForEach over T
// values, on a fresh runtime, and prints its line too, with its wall time over the plain one's. Not a test: figures go into notes, never into assertions.
// The machine is shared, so wall figures come with the load average; cpu_s and gc_ms are steadier.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { LocalRuntime } from '../lib/runtime/local';
import { chainedFlowYaml, forEachFlowYaml, lagsMs } from './chain';
import { percentiles } from './stats';

const E = Number(process.env.E ?? 4000);
const T = Number(process.env.T ?? 10);

/** Time spent in garbage collection while observing, by kind (scavenge = young generation). */
function gcMeter(): { stop(): { gc_ms: number; scavenge_ms: number; mark_compact_ms: number; gcs: number } } {
  let total = 0, scavenge = 0, major = 0, count = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      total += entry.duration;
      count++;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenge += entry.duration;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return { gc_ms: Math.round(total), scavenge_ms: Math.round(scavenge), mark_compact_ms: Math.round(major), gcs: count };
    },
  };
}

async function main(): Promise<void> {
  if (process.env.TRIGGERED === '1') {
    // Every upstream execution triggers one downstream flow: triggered_start_ms is end-to-start latency.
    const { triggeredBurst } = await import('./burst-triggered');
    console.log(JSON.stringify({ bench: 'burst', ...(await triggeredBurst(E, T)) }));
    return;
  }
  const plain = await burst(chainedFlowYaml(T));
  console.log(JSON.stringify(plain));
  if (process.env.FOREACH === '1') {
    const looped = await burst(forEachFlowYaml(T));
    console.log(JSON.stringify({ ...looped, foreach: true, wall_vs_plain: +(looped.wall_s / plain.wall_s).toFixed(2) }));
  }
}

async function burst(yaml: string): Promise<Record<string, unknown> & { wall_s: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-'));
  const runtime = new LocalRuntime({ env: { ...process.env, ALOFT_DATA_DIR: dataDir } });
  const { flow } = await runtime.deploy(yaml);
  await runtime.start();
  const load0 = loadavg()[0];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const gc = gcMeter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: E }, () => runtime.startExecution({ flow })));
  const finals = await Promise.all(started.map((e) => runtime.waitForEnd(e.id)));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
  // Entries of the last GCs arrive on a later turn.
  await new Promise((resolve) => setImmediate(resolve));
  const gcs = gc.stop();
  const states: Record<string, number> = {};
  for (const f of finals) states[f.state.current] = (states[f.state.current] ?? 0) + 1;
  await runtime.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return {
    bench: 'burst', executions: E, tasks_per_execution: T, tasks: E * T, states,
    wall_s: +wall.toFixed(3),
    tasks_per_s: Math.round((E * T) / wall),
    cpu_s: +cpuS.toFixed(3),
    cpu_ms_per_1k_tasks: +((cpuS * 1e6) / (E * T)).toFixed(1),
    ...gcs,
    peak_rss_mb: Math.round(peakRss / 1048576),
    heap_end_mb: heapMb,
    lag_ms: percentiles(lagsMs(finals)),
    load_avg_1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
    internal_errors: runtime.internalErrors().length,
  };
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
