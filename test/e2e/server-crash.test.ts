// `aloft server` on a data directory, stopped in the middle of 2,000 executions of a flow with a short Bash
// task, then started again on the same directory: by SIGKILL (nothing committed is lost, running attempts
// are retried as lost, no finished attempt runs again) and by SIGTERM (a clean stop, then the same).
// Every attempt appends its attempt number to a marker file of its task run, so the test can tell which
// attempts ran, and how often. A lost attempt runs again whatever the task's retry policy (as in the
// cloud); both tasks have one all the same.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allExecutions as executionsOf, api, killServerProcess, startServerProcess as startServer, type ServerProcess as Server } from '../../scripts/chaos/server-process';

const N = Number(process.env.ALOFT_CRASH_EXECUTIONS ?? 2000);
const NS = 'e2e.crash';
const allExecutions = (url: string): Promise<Map<string, any>> => executionsOf(url, NS);
const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED']);
const ACTIVE = 'CREATED,RUNNING,PAUSED,RESTARTED,KILLING,QUEUED,RETRYING';

const flow = (markers: string): string => `id: crash
namespace: ${NS}
tasks:
  - id: work
    type: io.kestra.core.tasks.scripts.Bash
    retry:
      type: constant
      interval: PT0S
      maxAttempt: 5
    commands:
      - 'echo "{{ taskrun.attemptsCount }}" >> "${markers}/{{ execution.id }}-{{ taskrun.id }}"'
      - 'sleep 0.05'
  - id: after
    type: io.kestra.core.tasks.debugs.Return
    format: done
    retry:
      type: constant
      interval: PT0S
      maxAttempt: 5
`;

/** Starts executions until `until` of them were acknowledged in all, or `stop()` says so; returns the acknowledged ids. */
async function submit(url: string, acknowledged: Set<string>, until: number, stop: () => boolean = () => false): Promise<void> {
  const lanes = Array.from({ length: 8 }, async () => {
    while (acknowledged.size < until && !stop()) {
      try {
        const e = await api(url, `/api/v1/executions/${NS}/crash`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        acknowledged.add(e.id);
      } catch {
        return; // The server went away: what was not acknowledged is not counted.
      }
    }
  });
  await Promise.all(lanes);
}

async function waitUntilAllEnded(url: string): Promise<void> {
  for (;;) {
    const page = await api(url, `/api/v1/executions/search?namespace=${NS}&size=1&state=${ACTIVE}`);
    if (page.results.length === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Attempt numbers each task run's script wrote, from the marker files. */
function markersOf(markers: string, executionId: string, taskRunId: string): number[] {
  const file = join(markers, `${executionId}-${taskRunId}`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

interface Outcome {
  executions: Map<string, any>;
  lostRetried: number;
}

/** Checks every acknowledged execution ended, and every attempt ran at most once (a finished one exactly once). */
function check(executions: Map<string, any>, acknowledged: Set<string>, markers: string): Outcome {
  let lostRetried = 0;
  for (const id of acknowledged) {
    const e = executions.get(id);
    expect({ id, found: e !== undefined }).toEqual({ id, found: true });
    if (e.state.current !== 'SUCCESS') {
      const runs = e.taskRunList.map((r: any) => ({ task: r.taskId, state: r.state.current, attempts: r.attempts.map((a: any) => a.state.current), error: r.error?.message }));
      expect({ id, state: e.state.current, runs }).toEqual({ id, state: 'SUCCESS', runs: [] });
    }
  }
  for (const e of executions.values()) {
    expect(TERMINAL.has(e.state.current)).toBe(true);
    const work = e.taskRunList.find((r: any) => r.taskId === 'work');
    if (!work) continue;
    const ran = markersOf(markers, e.id, work.id);
    const runs = new Map<number, number>();
    for (const n of ran) runs.set(n, (runs.get(n) ?? 0) + 1);
    // No attempt number ran twice: a claim is durable before its script starts.
    for (const [n, times] of runs) expect({ execution: e.id, attempt: n, times }).toEqual({ execution: e.id, attempt: n, times: 1 });
    work.attempts.forEach((a: any, n: number) => {
      if (a.state.current === 'SUCCESS') expect({ execution: e.id, attempt: n, ran: runs.get(n) ?? 0 }).toEqual({ execution: e.id, attempt: n, ran: 1 });
    });
    if (work.attempts.length > 1) lostRetried++;
  }
  return { executions, lostRetried };
}

describe('aloft server on a data directory, stopped in the middle of 2,000 executions', () => {
  let dir: string;
  let servers: Server[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aloft-crash-'));
    servers = [];
  });

  afterEach(async () => {
    for (const s of servers) await killServerProcess(s);
    rmSync(dir, { recursive: true, force: true });
  });

  const prepare = (): { data: string; flows: string; markers: string } => {
    const data = join(dir, 'data');
    const flows = join(dir, 'flows');
    const markers = join(dir, 'markers');
    for (const d of [flows, markers]) mkdirSync(d, { recursive: true });
    writeFileSync(join(flows, 'crash.yml'), flow(markers));
    return { data, flows, markers };
  };

  async function interruptAndRecover(signal: 'SIGKILL' | 'SIGTERM'): Promise<Outcome & { exitCode: number | null }> {
    const { data, flows, markers } = prepare();
    const acknowledged = new Set<string>();
    const first = await startServer(data, flows);
    servers.push(first);
    let stopped = false;
    const submitting = submit(first.url, acknowledged, N, () => stopped);
    // Interrupt once a good part was started and tasks are running.
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if (acknowledged.size < N * 0.35) continue;
      const running = await api(first.url, `/api/v1/executions/search?namespace=${NS}&size=1&state=RUNNING`);
      if (running.results.length > 0) break;
    }
    stopped = true;
    first.child.kill(signal);
    const exitCode = await first.exited;
    await submitting;
    const before = acknowledged.size;
    expect(before).toBeLessThan(N);

    const second = await startServer(data, flows);
    servers.push(second);
    await submit(second.url, acknowledged, N);
    expect(acknowledged.size).toBeGreaterThanOrEqual(N);
    await waitUntilAllEnded(second.url);
    const outcome = check(await allExecutions(second.url), acknowledged, markers);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    return { ...outcome, exitCode };
  }

  it('loses nothing to a SIGKILL: every execution ends, running attempts are retried as lost, no finished attempt runs again', async () => {
    const { lostRetried, exitCode } = await interruptAndRecover('SIGKILL');
    expect(exitCode).toBeNull();
    // Attempts that were running at the kill were found lost on the restart and retried.
    expect(lostRetried).toBeGreaterThan(0);
  }, 900_000);

  it('stops cleanly on SIGTERM, and the restarted server finishes everything', async () => {
    const { exitCode } = await interruptAndRecover('SIGTERM');
    expect(exitCode).toBe(0);
  }, 900_000);
});
