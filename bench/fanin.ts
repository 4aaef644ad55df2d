// bench:fanin — one execution with a Parallel of N (200) Return tasks on the emulated cloud: N results
// land on one execution at once. Prints `state`, `wall_s`, `aborted_surfaced` (ABORTED or lost races
// that reached a handler's caller, a log or a task run: goal 0) and `executor_invocations_per_result`
// (goal <= 3), with the lease's passes and conflicts. Not a test: figures go into notes.
import { loadavg } from 'node:os';
import { startEmulatedCloud } from '../lib/dev/cloud';
import type { ExecutorOutcome } from '../lib/runtime/cloud/executor';
import { createFlow, startExecution, waitForExecution } from '../test/helpers/emulated-cloud';
import { counters } from './cloud-counters';

const N = Number(process.env.N ?? 200);
const ABORTED = /ABORTED|CONFLICT|Transaction lock timeout/i;

async function main(): Promise<void> {
  const c = counters();
  const logged: string[] = [];
  let passes = 0;
  let conflicts = 0;
  const statuses: Record<string, number> = {};
  const cloud = await startEmulatedCloud({
    logSink: (l) => { if (l.severity === 'ERROR' || l.severity === 'WARNING') logged.push(String(l.message)); },
    instrument: (a) => c.instrument(a),
    onHandled: (h) => {
      c.onHandled(h);
      if (h.fn !== 'executor' || !h.outcome) return;
      const o = h.outcome as ExecutorOutcome;
      statuses[o.status] = (statuses[o.status] ?? 0) + 1;
      passes += o.passes ?? 0;
      conflicts += o.conflicts ?? 0;
    },
    pushPolicy: { minimumBackoff: '1s', maximumBackoff: '10s', maxDeliveryAttempts: 10 },
    schedulerIntervalMs: 5_000,
  });
  try {
    const branches = Array.from({ length: N }, (_, i) => `      - id: r${i}\n        type: io.kestra.core.tasks.debugs.Return\n        format: "{{ taskrun.id }}"`);
    await createFlow(cloud.apiUrl, ['id: fanin', 'namespace: bench', 'tasks:', '  - id: fan', '    type: io.kestra.core.tasks.flows.Parallel', '    tasks:', ...branches].join('\n'));
    const executor0 = c.invocations.executor ?? 0;
    const load0 = loadavg()[0];
    const t0 = performance.now();
    const started = await startExecution(cloud.apiUrl, 'bench', 'fanin');
    const done = await waitForExecution(cloud.apiUrl, started.id, 1_800_000);
    const wall = (performance.now() - t0) / 1000;
    const atEnd = (c.invocations.executor ?? 0) - executor0;
    // Triggers of the last writes (the executor's own updates among them) still arrive after the end:
    // count every invocation the execution caused, until none came for 3 s.
    for (let last = -1, quiet = 0; quiet < 3 && performance.now() - t0 < 600_000; quiet = (c.invocations.executor ?? 0) === last ? quiet + 1 : 0) {
      last = c.invocations.executor ?? 0;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const invocations = (c.invocations.executor ?? 0) - executor0;
    const abortedInRuns = done.taskRunList.filter((r) => ABORTED.test(r.error?.message ?? '')).length;
    const abortedThrown = c.failures.filter((f) => ABORTED.test(`${f.code} ${f.message}`)).length;
    const abortedLogged = logged.filter((m) => ABORTED.test(m)).length;
    console.log(JSON.stringify({
      bench: 'fanin', branches: N, state: done.state.current, wall_s: +wall.toFixed(3),
      aborted_surfaced: abortedInRuns + abortedThrown + abortedLogged,
      executor_invocations_per_result: +(invocations / N).toFixed(2),
      executor_invocations: invocations, executor_invocations_by_end: atEnd, executor_outcomes: statuses, passes, lease_conflicts: conflicts,
      firestore_ops: c.firestoreOps, succeeded_runs: done.taskRunList.filter((r) => r.state.current === 'SUCCESS').length,
      load_avg_1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
    }));
  } finally {
    await cloud.stop();
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
