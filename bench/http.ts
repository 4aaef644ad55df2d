// bench:http — N (1,000) http.Request tasks run by the worker (render, validate, request, outputs:
// runAttempt, as both runtimes call it) against a loopback node:http server, interleaved with the
// same request sent straight from undici in this process. Prints one JSON line: tasks/s, the p50 and
// p99 of both, and the ms a task adds at p50 (target <= 2). Not a test: figures go into notes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { runAttempt } from '../lib/worker';
import { fakeWorker } from '../lib/worker/testing';
import { percentiles } from './stats';

const N = Number(process.env.N ?? 1000);
const WARMUP = 100;
const BODY = JSON.stringify({ id: 1, name: 'item', tags: ['a', 'b'], price: 12.5 });

const round = (n: number): number => Math.round(n * 1000) / 1000;

async function main(): Promise<void> {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(BODY);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/item`;
  const w = await fakeWorker({ env: {} });
  w.deps.minLogLevel = 'INFO';
  const task = { id: 'call', uri: url, headers: { accept: 'application/json' } };
  const opts = { workerId: 'bench' };

  const direct = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await request(url, { method: 'GET', headers: { accept: 'application/json' } });
    const text = await res.body.text();
    if (res.statusCode !== 200 || text !== BODY) throw new Error(`direct: ${res.statusCode}`);
    return performance.now() - t0;
  };
  const viaTask = async (): Promise<number> => {
    const t0 = performance.now();
    const out = await runAttempt(w.task('io.kestra.plugin.core.http.Request', task), w.deps, opts);
    if (out.kind !== 'result' || out.result.state !== 'SUCCESS' || out.result.outputs?.body !== BODY) throw new Error(`task: ${JSON.stringify(out)}`);
    return performance.now() - t0;
  };

  try {
    for (let i = 0; i < WARMUP; i++) { await direct(); await viaTask(); }
    // Interleaved, so both see the same machine load.
    const d: number[] = [];
    const t: number[] = [];
    for (let i = 0; i < N; i++) {
      d.push(await direct());
      t.push(await viaTask());
    }
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const pd = percentiles(d);
    const pt = percentiles(t);
    console.log(JSON.stringify({
      bench: 'http', tasks: N,
      task: { per_s: Math.round(N / (sum(t) / 1000)), p50_ms: round(pt.p50), p99_ms: round(pt.p99) },
      direct: { per_s: Math.round(N / (sum(d) / 1000)), p50_ms: round(pd.p50), p99_ms: round(pd.p99) },
      added_ms_p50: round(pt.p50 - pd.p50),
      target_added_ms_p50: 2,
    }));
  } finally {
    await w.cleanup();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

main().then(() => process.exit(0), (err) => { console.error(err); process.exit(1); });
