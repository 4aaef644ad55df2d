// bench:cloud — E executions x T chained Return tasks through the emulated cloud: every execution is
// started through the api function, folded by the executor function on Firestore triggers, and every
// task runs in the worker-core function behind a Pub/Sub push subscription. Prints one JSON line like
// bench:burst's, plus firestore_ops_per_task and messages_per_task (counted by wrapping the adapters)
// and executor_invocations_per_task. The functions run in this process, so cpu_s and peak_rss_mb are
// theirs; the CPU of the emulators and of the delivery process is read from /proc. Not a test: the machine is shared, see load_avg_1m.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance as perf } from 'node:perf_hooks';
import { groupCommitTotals } from '../lib/adapters/gcp/firestore-group-commit';
import { startEmulatedCloud } from '../lib/dev/cloud';
import { createFlow, startExecution, waitForExecution } from '../test/helpers/emulated-cloud';
import type { Execution } from '../lib/model/execution';
import { counters } from './cloud-counters';
import { chainedFlowYaml, lagMs, lagsMs } from './chain';
import { cpuOf, percentiles } from './stats';

const E = Number(process.env.E ?? 400);
const T = Number(process.env.T ?? 10);
/** Executions started at once through the api (the api function's own concurrency). */
const START_CONCURRENCY = Number(process.env.START_CONCURRENCY ?? 50);
/**
 * Executions run first, reported apart as `warmup`: the emulators are JVMs started for this run, and
 * until their JIT has compiled the hot paths they cost 2-3x the CPU per request (measured: Firestore
 * emulator 4.6 ms per task cold, 2.0 warm). Deployed Firestore and Pub/Sub are never cold.
 */
const WARMUP = Number(process.env.WARMUP ?? 200);
const END = /^execution (\S+) \S+ -> (SUCCESS|WARNING|FAILED|KILLED)$/;

async function pool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await run(items[i]);
    }
  }));
  return out;
}

/** Lag p99 of each task id of the chain (t0 waits behind the burst of starts). */
function lagP99ByTask(finals: readonly Execution[]): Record<string, number> {
  const byTask: Record<string, number[]> = {};
  for (const e of finals) {
    for (const run of e.taskRunList) {
      const lag = lagMs(run);
      if (lag !== undefined) (byTask[run.taskId] ??= []).push(lag);
    }
  }
  return Object.fromEntries(Object.entries(byTask).map(([id, lags]) => [id, percentiles(lags).p99]));
}

interface Phase {
  started: Array<{ id: string }>;
  wall: number;
  cpuS: number;
  elu: number;
  loopDelay: ReturnType<typeof monitorEventLoopDelay>;
  emulatorCpu: { firestore: number; pubsub: number; delivery: number };
  peakRss: number;
  load0: number;
}

async function main(): Promise<void> {
  const c = counters();
  const errors: string[] = [];
  // Ends are read from the executor's log lines (this process serves the functions): polling every
  // execution through the api would load the emulator as much as the executions themselves.
  const ended = new Set<string>();
  let onEnd = (): void => undefined;
  const cloud = await startEmulatedCloud({
    logSink: (l) => {
      if (l.severity === 'ERROR') errors.push(String(l.message));
      const m = END.exec(String(l.message));
      if (m) {
        ended.add(m[1]);
        onEnd();
      }
    },
    instrument: (a) => c.instrument(a), onHandled: (h) => c.onHandled(h),
    pushPolicy: { minimumBackoff: '1s', maximumBackoff: '10s', maxDeliveryAttempts: 10 },
    schedulerIntervalMs: Number(process.env.SCHEDULER_MS ?? 5_000),
    deliveryConcurrency: {
      ...(process.env.EXECUTOR_CONCURRENCY ? { executor: Number(process.env.EXECUTOR_CONCURRENCY) } : {}),
      ...(process.env.PUSH_CONCURRENCY ? { push: Number(process.env.PUSH_CONCURRENCY) } : {}),
    },
  });
  const emulatorPids = { firestore: cloud.emulators.firestore.service.pid, pubsub: cloud.emulators.pubsub.service.pid, delivery: cloud.delivery!.pid };

  /** Starts `n` executions at once through the api and waits for their ends. */
  const burst = async (n: number): Promise<Phase> => {
    const load0 = loadavg()[0];
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
    // The functions share this process's event loop: how busy it was, and how late its callbacks ran.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const elu0 = perf.eventLoopUtilization();
    const cpu0 = process.cpuUsage();
    const emulators0 = { firestore: cpuOf(emulatorPids.firestore), pubsub: cpuOf(emulatorPids.pubsub), delivery: cpuOf(emulatorPids.delivery) };
    const t0 = performance.now();
    const started = await pool(Array.from({ length: n }, (_, i) => i), START_CONCURRENCY, () => startExecution(cloud.apiUrl, 'bench', 'burst'));
    await new Promise<void>((resolve) => {
      onEnd = () => { if (started.every((e) => ended.has(e.id))) resolve(); };
      onEnd();
    });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    loopDelay.disable();
    clearInterval(sampler);
    return {
      started, wall, cpuS: (cpu.user + cpu.system) / 1e6, elu: perf.eventLoopUtilization(elu0).utilization, loopDelay, peakRss, load0,
      emulatorCpu: {
        firestore: cpuOf(emulatorPids.firestore) - emulators0.firestore, pubsub: cpuOf(emulatorPids.pubsub) - emulators0.pubsub,
        delivery: cpuOf(emulatorPids.delivery) - emulators0.delivery,
      },
    };
  };
  const cpuPerTask = (p: Phase, tasks: number): Record<string, number> => ({
    functions: +((p.cpuS * 1000) / tasks).toFixed(2),
    firestore_emulator: +((p.emulatorCpu.firestore * 1000) / tasks).toFixed(2),
    pubsub_emulator: +((p.emulatorCpu.pubsub * 1000) / tasks).toFixed(2),
    delivery: +((p.emulatorCpu.delivery * 1000) / tasks).toFixed(2),
  });
  /** The burst's executions as they ended, read back through the api. */
  const finalsOf = (p: Phase): Promise<Execution[]> => pool(p.started, 10, (e) => waitForExecution(cloud.apiUrl, e.id, 60_000));

  try {
    await createFlow(cloud.apiUrl, chainedFlowYaml(T));
    const warm = WARMUP > 0 ? await burst(WARMUP) : undefined;
    const warmup = warm ? {
      executions: WARMUP, wall_s: +warm.wall.toFixed(3), tasks_per_s: Math.round((WARMUP * T) / warm.wall),
      cpu_ms_per_task: cpuPerTask(warm, WARMUP * T), lag_ms: percentiles(lagsMs(await finalsOf(warm))), handler_failures: c.failures.length, logged_errors: errors.length,
    } : undefined;

    // BENCH_CPU_PROFILE=file.cpuprofile: a V8 CPU profile of this process during the measured burst only.
    const profiler = process.env.BENCH_CPU_PROFILE ? new Session() : undefined;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const ops0 = c.firestoreOps;
    const failures0 = c.failures.length;
    const errors0 = errors.length;
    const grouped0 = groupCommitTotals();
    const messages0 = c.messages;
    const executor0 = c.invocations.executor ?? 0;
    const p = await burst(E);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(process.env.BENCH_CPU_PROFILE!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const ops = c.firestoreOps - ops0;
    const grouped = groupCommitTotals();
    const messages = c.messages - messages0;
    const executorInvocations = (c.invocations.executor ?? 0) - executor0;
    const finals = await finalsOf(p);
    const tasks = E * T;
    const states: Record<string, number> = {};
    for (const f of finals) states[f.state.current] = (states[f.state.current] ?? 0) + 1;
    console.log(JSON.stringify({
      bench: 'cloud', executions: E, tasks_per_execution: T, tasks, states,
      wall_s: +p.wall.toFixed(3),
      tasks_per_s: Math.round(tasks / p.wall),
      cpu_s: +p.cpuS.toFixed(3),
      // Where the machine's CPU went, per task: this process (the functions), the emulators and the delivery process.
      cpu_ms_per_task: cpuPerTask(p, tasks),
      event_loop: {
        utilization: +p.elu.toFixed(2),
        delay_ms: { p50: +(p.loopDelay.percentile(50) / 1e6).toFixed(1), p99: +(p.loopDelay.percentile(99) / 1e6).toFixed(1), max: +(p.loopDelay.max / 1e6).toFixed(1) },
      },
      peak_rss_mb: Math.round(Math.max(p.peakRss, process.resourceUsage().maxRSS * 1024) / 1048576),
      lag_ms: percentiles(lagsMs(finals)),
      firestore_ops_per_task: +(ops / tasks).toFixed(2),
      // Of those, the single-document writes and reads that went through the group commit, and the requests they took.
      group_commit_per_task: {
        operations: +((grouped.writes - grouped0.writes + grouped.reads - grouped0.reads) / tasks).toFixed(2),
        requests: +((grouped.writeRpcs - grouped0.writeRpcs + grouped.readRpcs - grouped0.readRpcs) / tasks).toFixed(2),
      },
      messages_per_task: +(messages / tasks).toFixed(2),
      executor_invocations_per_task: +(executorInvocations / tasks).toFixed(2),
      handler_failures: c.failures.length - failures0,
      logged_errors: errors.length - errors0,
      load_avg_1m: [+p.load0.toFixed(2), +loadavg()[0].toFixed(2)],
      // The same burst run first, on cold emulators: the figures a first burst gets.
      ...(warmup ? { warmup } : {}),
      ...(process.env.BENCH_DETAIL ? { lag_p99_by_task: lagP99ByTask(finals), by_operation: c.byOperation, invocations: c.invocations, failures: c.failures.slice(failures0, failures0 + 5), errors: errors.slice(errors0, errors0 + 5) } : {}),
    }));
  } finally {
    await cloud.stop();
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
