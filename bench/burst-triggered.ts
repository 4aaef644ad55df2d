// The TRIGGERED=1 part of bench:burst: E upstream executions of T chained tasks, all started at
// once on the embedded runtime, each triggering one downstream execution through a Flow trigger.
// `triggered_start_ms` is the time from an upstream's end (its last state change) to the creation of
// the downstream execution it triggered, both stamped by the runtime's clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalServer } from '../lib/wiring/local-server';
import { percentiles } from './stats';
import { chainedFlowYaml } from './chain';

const DOWNSTREAM = `id: downstream
namespace: bench
inputs:
  - name: from
    type: STRING
tasks:
  - id: ack
    type: io.kestra.core.tasks.debugs.Return
    format: "after {{ inputs.from }}"
triggers:
  - id: after-upstream
    type: io.kestra.core.models.triggers.types.Flow
    inputs:
      from: "{{ trigger.executionId }}"
    conditions:
      - type: io.kestra.core.models.conditions.types.ExecutionFlowCondition
        namespace: bench
        flowId: upstream
      - type: io.kestra.core.models.conditions.types.ExecutionStatusCondition
        in: [SUCCESS]
`;

export interface TriggeredBurst {
  executions: number;
  triggered: number;
  wall_s: number;
  triggered_start_ms: { p50: number; p95: number; p99: number; max: number };
  internal_errors: number;
}

/** Runs the burst; the lead's bench/burst.ts calls it when TRIGGERED=1. */
export async function triggeredBurst(e: number, t: number, env: Readonly<Record<string, string | undefined>> = process.env): Promise<TriggeredBurst> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-trig-'));
  const server = new LocalServer({ env: { ...env, ALOFT_DATA_DIR: dataDir, ALOFT_SCHEDULER_INTERVAL_MS: '0' }, pubsub: null });
  try {
    await server.deploy(chainedFlowYaml(t, 'upstream'));
    await server.deploy(DOWNSTREAM);
    const upstream = await server.runtime.flows.get('bench', 'upstream');
    await server.runtime.start();
    const downstream = new Set<string>();
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((r) => { resolveAll = r; });
    const off = server.runtime.onUpdate((ex) => {
      if (ex.flowId !== 'downstream' || downstream.has(ex.id)) return;
      downstream.add(ex.id);
      if (downstream.size === e) resolveAll();
    });
    const t0 = performance.now();
    await Promise.all(Array.from({ length: e }, () => server.runtime.startExecution({ flow: upstream })));
    await all;
    const wall = (performance.now() - t0) / 1000;
    off();
    const lags: number[] = [];
    for (const id of downstream) {
      const d = (await server.runtime.waitForEnd(id));
      const u = await server.runtime.get(String(d.inputs.from));
      const h = u!.state.histories;
      lags.push(Date.parse(d.state.histories[0].date) - Date.parse(h[h.length - 1].date));
    }
    return {
      executions: e, triggered: downstream.size, wall_s: +wall.toFixed(3),
      triggered_start_ms: percentiles(lags), internal_errors: server.runtime.internalErrors().length,
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
