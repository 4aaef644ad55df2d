// bench:flowtriggers — the flow-trigger cost per ended execution with 10 and with 10,000 flows that
// carry a Flow trigger. Each ended execution is matched through the index, conditions are tested,
// inputs rendered and the downstream execution created in a real in-memory StateStore.
// Prints one JSON line. Not a test: figures go into notes, never into assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderBlobStore, MemoryStateStore, RandomIds, SystemClock } from '../lib/adapters/local';
import { MemoryTriggerStateStore } from '../lib/adapters/local/trigger-state';
import type { Execution } from '../lib/model/execution';
import type { Flow } from '../lib/model/flow';
import { startExecution } from '../lib/runtime/core/start-execution';
import { exprRenderer } from '../lib/triggers/expr-renderer';
import { evaluateFlowTriggers } from '../lib/triggers/flow-evaluate';
import { TriggerRegistry } from '../lib/triggers/registry';

const ENDED = Number(process.env.ENDED ?? 20000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const C = 'io.kestra.core.models.conditions.types.';

function downstream(i: number): Flow {
  return {
    id: `down${i}`, namespace: 'bench.down', revision: 1,
    inputs: [{ id: 'from', type: 'STRING', required: true }],
    tasks: [{ id: 'ret', type: 'io.kestra.core.tasks.debugs.Return', format: '{{ inputs.from }}' }],
    triggers: [{
      id: 'after', type: 'io.kestra.core.models.triggers.types.Flow',
      inputs: { from: '{{ trigger.executionId }}' },
      conditions: [
        { type: `${C}ExecutionFlowCondition`, namespace: 'bench.up', flowId: `up${i}` },
        { type: `${C}ExecutionStatusCondition`, in: ['SUCCESS'] },
      ],
    }],
  };
}

function upstream(id: string, flowId: string): Execution {
  const at = '2024-03-14T10:00:00.000Z';
  return {
    id, namespace: 'bench.up', flowId, flowRevision: 1, inputs: {}, taskRunList: [], version: 3,
    state: { current: 'SUCCESS', histories: [{ state: 'CREATED', date: at }, { state: 'RUNNING', date: at }, { state: 'SUCCESS', date: at }] },
  };
}

interface Setup {
  run(count: number): Promise<number>;
  close(): void;
}

/**
 * `flows` flows carry a Flow trigger, each on its own upstream flow. The stream of ended executions is
 * the same whatever `flows` is: half come from the upstream flows of the first 10 (one trigger matches),
 * half from flows nobody listens to. Only the number of loaded flows changes, which is what must not
 * change the cost (Kestra 0.3 scanned every flow for each ended execution).
 */
async function setup(flows: number): Promise<Setup> {
  const registry = new TriggerRegistry(() => undefined);
  for (let i = 0; i < flows; i++) registry.set(downstream(i));
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-ft-'));
  const store = new MemoryStateStore();
  const startDeps = { store, blobs: new FolderBlobStore({ root: dataDir }), clock: new SystemClock(), ids: new RandomIds(), wake: () => undefined };
  const executions = new Map<string, Execution>();
  const deps = {
    index: registry.flowIndex, state: new MemoryTriggerStateStore(), renderer: exprRenderer(new SystemClock()),
    loadExecution: async (id: string) => executions.get(id) ?? null,
    start: (req: Parameters<typeof startExecution>[1]) => startExecution(startDeps, req),
    report: () => undefined,
  };
  const now = new Date();
  let n = 0;
  return {
    async run(count) {
      const t0 = performance.now();
      for (let k = 0; k < count; k++, n++) {
        const flowId = n % 2 === 0 ? `up${(n >> 1) % 10}` : `lonely${n % 1000}`;
        const e = upstream(`e${flows}-${n}`, flowId);
        executions.set(e.id, e);
        await evaluateFlowTriggers(deps, { id: e.id, namespace: e.namespace, flowId, flowRevision: 1, state: 'SUCCESS' }, now);
        executions.delete(e.id);
      }
      return ((performance.now() - t0) * 1000) / count;
    },
    close: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const small = await setup(10);
  const large = await setup(10_000);
  await small.run(2000);
  await large.run(2000);
  // Rounds alternate, so a busy neighbour on the machine weighs on both sides alike.
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    a.push(await small.run(ENDED));
    b.push(await large.run(ENDED));
  }
  small.close();
  large.close();
  const [s, l] = [median(a), median(b)];
  console.log(JSON.stringify({
    bench: 'flowtriggers', ended_executions_per_round: ENDED, rounds: ROUNDS,
    us_per_execution_10: +s.toFixed(2), us_per_execution_10000: +l.toFixed(2), ratio: +(l / s).toFixed(3),
  }));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
