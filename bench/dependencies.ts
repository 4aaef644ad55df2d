// bench:dependencies — flow dependencies with 10,000 flows on `aloft server`'s durable store (SQLite):
// the time to save a flow when 100 and when 10,000 exist (filing its edges must not look at every
// flow), and the time of the queries the UI and the delete check make. Goes through the API service,
// parse and SQLite write included. Prints one JSON line. Not a test: figures go into notes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '../lib/runtime/embedded/data-dir';
import { LocalServer } from '../lib/wiring/local-server';
import { percentiles } from './stats';

const FLOWS = Number(process.env.FLOWS ?? 10_000);
const QUERIES = Number(process.env.QUERIES ?? 1000);
const NAMESPACES = 100;

/**
 * Flow i lives in bench.nsK (K = i mod 100). Every third flow calls the next one as a subflow, every
 * third listens to the one before it (ExecutionFlow and a state filter), every 100th listens to a whole
 * namespace: chains of three across namespaces, and namespace-wide listeners.
 */
function flowYaml(i: number): string {
  const ns = (j: number): string => `bench.ns${j % NAMESPACES}`;
  const head = `id: f${i}\nnamespace: ${ns(i)}\n`;
  const ret = '  - id: r\n    type: io.kestra.core.tasks.debugs.Return\n    format: x\n';
  if (i % 100 === 99) {
    return `${head}tasks:\n${ret}triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionNamespaceCondition\n        namespace: ${ns(i + 1)}\n`;
  }
  switch (i % 3) {
    case 0: return `${head}tasks:\n  - id: call\n    type: io.kestra.plugin.core.flow.Subflow\n    namespace: ${ns(i + 1)}\n    flowId: f${i + 1}\n`;
    case 2: return `${head}tasks:\n${ret}triggers:\n  - id: t\n    type: io.kestra.plugin.core.trigger.Flow\n    conditions:\n      - type: io.kestra.plugin.core.condition.ExecutionFlowCondition\n        namespace: ${ns(i - 1)}\n        flowId: f${i - 1}\n      - type: io.kestra.plugin.core.condition.ExecutionStatusCondition\n        in: [SUCCESS]\n`;
    default: return `${head}tasks:\n${ret}`;
  }
}

const round = (x: number): number => +x.toFixed(3);
const summary = (ms: number[]) => Object.fromEntries(Object.entries(percentiles(ms)).map(([k, v]) => [k, round(v)]));

async function timed(times: number[], fn: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await fn();
  times.push(performance.now() - t0);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-bench-deps-'));
  const server = new LocalServer({ env: { ALOFT_DATA_DIR: dir, ALOFT_SCHEDULER_INTERVAL_MS: '0' }, pubsub: null, adapters: await openDataDir(join(dir, 'data')), log: () => undefined });
  try {
    await server.open();
    const flows = server.service.flows;
    const early: number[] = [];
    const late: number[] = [];
    for (let i = 0; i < FLOWS; i++) {
      const into = i >= 100 && i < 200 ? early : i >= FLOWS - 100 ? late : null;
      if (into) await timed(into, () => flows.save(flowYaml(i)));
      else await flows.save(flowYaml(i));
    }
    const pick = (k: number): { ns: string; id: string } => {
      const i = (k * 7919) % FLOWS;
      return { ns: `bench.ns${i % NAMESPACES}`, id: `f${i}` };
    };
    const direct: number[] = [];
    const expanded: number[] = [];
    const dependents: number[] = [];
    const namespace: number[] = [];
    let edges = 0;
    for (let k = 0; k < QUERIES; k++) {
      const { ns, id } = pick(k);
      await timed(direct, async () => { edges += (await flows.dependencies(ns, id)).edges.length; });
      await timed(expanded, () => flows.dependencies(ns, id, { expandAll: true }));
      await timed(dependents, () => flows.dependents(ns, id));
      if (k < NAMESPACES) await timed(namespace, () => flows.namespaceDependencies(`bench.ns${k}`));
    }
    console.log(JSON.stringify({
      bench: 'dependencies', flows: FLOWS, store: 'sqlite', queries: QUERIES, edges_per_flow: round(edges / QUERIES),
      save_ms_at_100_flows: summary(early), save_ms_at_10000_flows: summary(late),
      dependencies_ms: summary(direct), expand_all_ms: summary(expanded), dependents_ms: summary(dependents), namespace_ms: summary(namespace),
    }));
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
