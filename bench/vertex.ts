// bench:vertex — a Vertex AI CustomJob against the fake Vertex AI and fake Cloud Logging (gRPC wire
// protocol, in a child process): LINES log lines (default 100,000) over JOB_MS of job time (default
// 60 s), run as CONTINUATIONS invocations (default 5) whose deadlines split the job time, the job polled
// every POLL_MS (default 1000), the fake tail holding entries BUFFER_WINDOW_MS (default 2000, the service's
// default window; 0 sends a response per fake tick of 10 ms, the worst case). Prints one JSON
// line: lines delivered once / missing / duplicated, lines per second into the task's logs, and the
// worker's CPU per 1,000 lines: this process's CPU while the task runs and its logger flushes (the
// fakes run in their own process; the bench's own reading of the stored lines is not counted).
// Not a test: figures go into notes, never into assertions.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { CustomJob } from '../lib/plugins/gcp/vertexai';
import { connection, jobService, loggingService } from '../lib/plugins/gcp/vertexai/clients';
import { locationOf } from '../lib/plugins/gcp/vertexai/custom-job';
import { isSuspend } from '../lib/plugins/types';
import { fakeTaskContext } from '../lib/worker/testing';

const LINES = Number(process.env.LINES ?? 100_000);
const JOB_MS = Number(process.env.JOB_MS ?? 60_000);
const CONTINUATIONS = Number(process.env.CONTINUATIONS ?? 5);
const BUFFER_WINDOW_MS = Number(process.env.BUFFER_WINDOW_MS ?? 2000);

async function main(): Promise<void> {
  const child = spawn(process.execPath, ['scripts/run-ts.mjs', 'bench/vertex-fake.ts'], {
    env: { ...process.env, LINES: String(LINES), JOB_MS: String(JOB_MS), BUFFER_WINDOW_MS: String(BUFFER_WINDOW_MS) }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = await once(createInterface({ input: child.stdout }), 'line') as [string];
  const endpoints = JSON.parse(line) as { vertex: string; logging: string };
  const env = { VERTEXAI_EMULATOR_HOST: endpoints.vertex, LOGGING_EMULATOR_HOST: endpoints.logging, ALOFT_VERTEXAI_POLL_MS: process.env.POLL_MS ?? '1000', METADATA_SERVER_DETECTION: 'none' };
  process.env.METADATA_SERVER_DETECTION = 'none';
  const props = CustomJob.properties.parse({
    projectId: 'bench', region: 'europe-west1', displayName: 'bench',
    spec: { workerPoolSpecs: [{ containerSpec: { imageUri: 'gcr.io/bench/job:1' }, machineSpec: { machineType: 'n1-standard-4' } }] },
  });
  // A warm worker instance: the clients (the task's own, from its connection) are built once per
  // process, before the job starts; building one parses its package's protos.
  const first = await fakeTaskContext({ taskId: 'job', env });
  const conn = connection(first.ctx, props, locationOf(first.ctx));
  jobService(conn, props.region);
  await loggingService(conn).ready();
  await first.ctx.close();
  const seen = new Map<number, number>();
  let continuation: unknown;
  let invocations = 0;
  let state = '';
  let cpuMicros = 0;
  const t0 = process.hrtime.bigint();
  try {
    for (;;) {
      invocations++;
      // The last planned invocation gets room to finish; a slow machine may still need one more.
      const slice = invocations < CONTINUATIONS ? JOB_MS / CONTINUATIONS : JOB_MS;
      const w = await fakeTaskContext({ taskId: 'job', env, dataDir: first.dataDir, execution: first.execution, deadline: new Date(Date.now() + slice) });
      const cpu0 = process.cpuUsage();
      const out = await CustomJob.run(w.ctx, props, continuation === undefined ? undefined : JSON.parse(JSON.stringify(continuation)));
      await w.ctx.close();
      const cpu = process.cpuUsage(cpu0);
      cpuMicros += cpu.user + cpu.system;
      for (const l of await w.logLines()) {
        const m = /^line (\d+)$/.exec(l.message);
        if (m) seen.set(Number(m[1]), (seen.get(Number(m[1])) ?? 0) + 1);
      }
      if (!isSuspend(out)) { state = out.state; break; }
      continuation = out.continuation;
    }
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await first.cleanup();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const delivered = [...seen.values()].filter((n) => n >= 1).length;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  console.log(JSON.stringify({
    bench: 'vertex', lines: LINES, jobMs: JOB_MS, bufferWindowMs: BUFFER_WINDOW_MS, invocations, state, delivered, missing: LINES - delivered, duplicated,
    seconds: Math.round(seconds * 10) / 10, linesPerSecond: Math.round(delivered / seconds),
    cpuMsPer1000Lines: Math.round((cpuMicros / 1000 / (delivered / 1000)) * 100) / 100,
  }));
}

void main();
