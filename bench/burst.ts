// bench:burst — E executions x T chained Return tasks, all started at once on the embedded runtime.
// Prints one JSON line. Not a test: figures go into notes, never into assertions.
// The machine is shared, so wall figures come with the load average; cpu_s and gc_ms are steadier.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { openDataDir } from '../lib/runtime/embedded/data-dir';
import { LocalRuntime } from '../lib/runtime/embedded/runtime';
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

/**
 * CPU seconds of this process's main thread (Linux: /proc/self/task/{pid}/stat, utime + stime), or
 * NaN elsewhere. process.cpuUsage() adds every thread's: the SQLite writer's and the GC's too. On a
 * loaded machine the main thread's CPU says more about the wall an idle machine would see.
 */
function mainThreadCpuS(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** One burst of E x T on a fresh runtime: in memory, or on SQLite in a data directory (`durable`). */
async function burst(durable: boolean, yaml = chainedFlowYaml(T)): Promise<Record<string, unknown>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-'));
  const adapters = durable ? await openDataDir(join(dataDir, 'data')) : undefined;
  const runtime = new LocalRuntime({ env: { ...process.env, ALOFT_DATA_DIR: dataDir }, ...(adapters ? { adapters } : {}) });
  const { flow } = await runtime.deploy(yaml);
  await runtime.start();
  const load0 = loadavg()[0];
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 20);
  const gc = gcMeter();
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuS();
  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: E }, () => runtime.startExecution({ flow })));
  const finals = await Promise.all(started.map((e) => runtime.waitForEnd(e.id)));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainCpuS = mainThreadCpuS() - main0;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const heapMb = Math.round(process.memoryUsage().heapUsed / 1048576);
  // Entries of the last GCs arrive on a later turn.
  await new Promise((resolve) => setImmediate(resolve));
  const gcs = gc.stop();
  const states: Record<string, number> = {};
  for (const f of finals) states[f.state.current] = (states[f.state.current] ?? 0) + 1;
  const errors = runtime.internalErrors().length;
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return {
    store: durable ? 'sqlite' : 'memory',
    executions: E, tasks_per_execution: T, tasks: E * T, states,
    wall_s: +wall.toFixed(3),
    tasks_per_s: Math.round((E * T) / wall),
    cpu_s: +cpuS.toFixed(3),
    main_thread_cpu_s: +mainCpuS.toFixed(2),
    cpu_ms_per_1k_tasks: +((cpuS * 1e6) / (E * T)).toFixed(1),
    ...gcs,
    peak_rss_mb: Math.round(peakRss / 1048576),
    heap_end_mb: heapMb,
    lag_ms: percentiles(lagsMs(finals)),
    load_avg_1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
    internal_errors: errors,
  };
}

async function main(): Promise<void> {
  if (process.env.TRIGGERED === '1') {
    // Every upstream execution triggers one downstream flow: triggered_start_ms is end-to-start latency.
    const { triggeredBurst } = await import('./burst-triggered');
    console.log(JSON.stringify({ bench: 'burst', ...(await triggeredBurst(E, T)) }));
    return;
  }
  if (process.env.DURABLE !== '1') {
    const memory = await burst(false);
    // The peak of the whole process, as before: this invocation ran only this burst.
    memory.peak_rss_mb = Math.max(memory.peak_rss_mb as number, Math.round((process.resourceUsage().maxRSS * 1024) / 1048576));
    console.log(JSON.stringify({ bench: 'burst', ...memory }));
    if (process.env.FOREACH === '1') {
      // The same T tasks inside a ForEach over 10 values (issue: wall <= 1.5x the plain burst).
      const looped = await burst(false, forEachFlowYaml(T));
      console.log(JSON.stringify({ bench: 'burst', ...looped, foreach: true, wall_vs_plain: +((looped.wall_s as number) / (memory.wall_s as number)).toFixed(2) }));
    }
    return;
  }
  // DURABLE=1: the same burst on SQLite, then in memory in the same invocation; the durable run is the
  // line's top level. Peak RSS is sampled during each run (the process's maxRSS would mix the two).
  const durable = await burst(true);
  const memory = await burst(false);
  console.log(JSON.stringify({
    bench: 'burst', ...durable, memory,
    durable_over_memory_wall: +((durable.wall_s as number) / (memory.wall_s as number)).toFixed(2),
    durable_over_memory_main_thread_cpu: +((durable.main_thread_cpu_s as number) / (memory.main_thread_cpu_s as number)).toFixed(2),
  }));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
