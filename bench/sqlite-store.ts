// bench/sqlite-store.ts — the state store's synchronous operations on SQLite (group commit) against
// the memory store: E executions, R rounds; each round appends one event per execution, then folds
// it (one task run updated, one added, one effect acknowledged), a chunk of executions per turn as
// the embedded runtime does. Prints one JSON line. Not a test: figures go into notes.
// Run: node scripts/run-ts.mjs bench/sqlite-store.ts   (E=2000 R=10 CHUNK=200 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStateStore } from '../lib/adapters/local';
import { openSqliteData } from '../lib/adapters/sqlite';
import type { Execution, TaskRun } from '../lib/model/execution';
import { newStateRecord, withState } from '../lib/model/states';
import type { PendingEvent, TransactOutcome } from '../lib/ports/state-store';

const E = Number(process.env.E ?? 2000);
const R = Number(process.env.R ?? 10);
const CHUNK = Number(process.env.CHUNK ?? 200);
const T0 = new Date('2024-03-14T10:00:00.000Z');

interface SyncStore {
  create(execution: Execution, first: PendingEvent): Promise<void>;
  appendNow(executionId: string, pending: PendingEvent): boolean;
  transactNow(executionId: string, fold: (e: Execution, p: readonly PendingEvent[]) => TransactOutcome | null, now: Date): { outbox: Array<{ id: string }> } | null;
  ackOutboxNow(entries: never[]): void;
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function execution(i: number): Execution {
  return {
    id: `exec-${i}`, namespace: 'io.aloft.bench', flowId: 'chain', flowRevision: 1, state: newStateRecord('RUNNING', T0),
    inputs: { n: i }, taskRunList: [], version: 0,
  };
}

function run(e: Execution, r: number): TaskRun {
  return {
    id: `${e.id}-run-${r}`, executionId: e.id, namespace: e.namespace, flowId: e.flowId, taskId: `t${r}`,
    attempts: [{ state: newStateRecord('RUNNING', T0) }], state: newStateRecord('RUNNING', T0),
  };
}

// One round of the fold: the previous run ends with an output, the next one starts.
function fold(r: number) {
  return (e: Execution): TransactOutcome => {
    const list = e.taskRunList.slice();
    const last = list[list.length - 1];
    if (last) list[list.length - 1] = { ...last, state: withState(last.state, 'SUCCESS', T0), outputs: { value: `v${r}` } };
    list.push(run(e, r));
    return {
      execution: { ...e, taskRunList: list },
      effects: [{ type: 'ExecutionEnded', executionId: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: 1, state: 'SUCCESS' }],
    };
  };
}

async function measure(store: SyncStore, durable: () => Promise<void>): Promise<{ appends_per_s: number; transacts_per_s: number }> {
  await Promise.all(Array.from({ length: E }, (_, i) => store.create(execution(i), { key: 'created', event: { type: 'ExecutionCreated' }, at: T0.toISOString() })));
  await durable();
  let appendMs = 0;
  let transactMs = 0;
  for (let r = 0; r < R; r++) {
    for (let from = 0; from < E; from += CHUNK) {
      const to = Math.min(E, from + CHUNK);
      const a = performance.now();
      for (let i = from; i < to; i++) store.appendNow(`exec-${i}`, { key: `resume-${r}`, event: { type: 'Resume', inputs: {} }, at: T0.toISOString() });
      const b = performance.now();
      for (let i = from; i < to; i++) {
        const out = store.transactNow(`exec-${i}`, fold(r), T0);
        if (out) store.ackOutboxNow(out.outbox as never[]);
      }
      transactMs += performance.now() - b;
      appendMs += b - a;
      // The commit runs here, between turns; its time is part of the wall time below.
      await turn();
    }
  }
  await durable();
  return { appends_per_s: Math.round((E * R) / (appendMs / 1000)), transacts_per_s: Math.round((E * R) / (transactMs / 1000)) };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return +((used.user + used.system) / 1e6).toFixed(3);
}

async function main(): Promise<void> {
  const load0 = loadavg()[0];
  // A first pass warms the JIT up for both stores' shared code (the folds, the model helpers).
  await measure(new MemoryStateStore() as unknown as SyncStore, async () => undefined);
  const m0 = performance.now();
  const mc = process.cpuUsage();
  const memory = await measure(new MemoryStateStore() as unknown as SyncStore, async () => undefined);
  const memoryWall = (performance.now() - m0) / 1000;
  const memoryCpu = cpuSince(mc);

  const dir = mkdtempSync(join(tmpdir(), 'aloft-bench-sqlite-'));
  const data = openSqliteData(dir);
  const s0 = performance.now();
  const sc = process.cpuUsage();
  const sqlite = await measure(data.store as unknown as SyncStore, () => data.durable());
  const sqliteWall = (performance.now() - s0) / 1000;
  const sqliteCpu = cpuSince(sc);
  const writes = { ...data.store.writes };
  data.close();
  rmSync(dir, { recursive: true, force: true });

  const ops = E * R;
  console.log(JSON.stringify({
    bench: 'sqlite-store', executions: E, rounds: R, chunk: CHUNK,
    sqlite: { ...sqlite, wall_s: +sqliteWall.toFixed(3), cpu_s: sqliteCpu, ops_per_s: Math.round(ops / sqliteWall), rows_written: writes },
    memory: { ...memory, wall_s: +memoryWall.toFixed(3), cpu_s: memoryCpu, ops_per_s: Math.round(ops / memoryWall) },
    wall_ratio: +(sqliteWall / memoryWall).toFixed(2),
    cpu_ratio: +(sqliteCpu / memoryCpu).toFixed(2),
    load_avg_1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
  }));
}

main().catch((err) => { console.error(err); process.exitCode = 1; });
