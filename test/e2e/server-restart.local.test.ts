// The durable embedded runtime across a restart on the same data directory: what was due while it was
// down fires after it (a Pause delay, a retry delay, schedule dates by the trigger's late-run rules), and
// flows, executions and logs are still there. A second server on the same directory is refused.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '../../lib/runtime/embedded/data-dir';
import { LocalServer } from '../../lib/wiring/local-server';
import type { Clock } from '../../lib/ports';

class TestClock implements Clock {
  constructor(public at: Date) {}
  now(): Date { return new Date(this.at); }
}

const NS = 'e2e.restart';
const env = (dir: string): Record<string, string> => ({ ALOFT_DATA_DIR: dir, ALOFT_SCHEDULER_INTERVAL_MS: '0', ALOFT_RECOVERY_INTERVAL_MS: '0' });

describe('the durable embedded runtime across a restart', () => {
  let dir: string;
  const open: LocalServer[] = [];

  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'aloft-restart-')); });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  async function serve(clock?: Clock): Promise<LocalServer> {
    const server = new LocalServer({ env: env(dir), pubsub: null, adapters: await openDataDir(join(dir, 'data')), ...(clock ? { clock } : {}) });
    open.push(server);
    await server.open();
    return server;
  }

  /** The wake-ups stored in the data directory, read while no server runs. */
  async function openStored(): Promise<{ due(): Promise<unknown[]> }> {
    const adapters = await openDataDir(join(dir, 'data'));
    return { due: async () => { const all = await adapters.wakeUpStore.due(new Date('9999-12-31T00:00:00Z'), 10); await adapters.close(); return all; } };
  }

  async function stop(server: LocalServer): Promise<void> {
    open.splice(open.indexOf(server), 1);
    await server.stop();
  }

  it('fires a Pause delay that fell due while the server was stopped, and keeps the flow, the execution and its logs', async () => {
    const first = await serve();
    await first.deploy(`id: paused
namespace: ${NS}
tasks:
  - id: hello
    type: io.kestra.core.tasks.log.Log
    message: before the pause
  - id: wait
    type: io.kestra.core.tasks.flows.Pause
    delay: PT2S
    tasks:
      - id: after
        type: io.kestra.core.tasks.debugs.Return
        format: after the pause
`);
    const flow = (await first.runtime.flowRepo.get(NS, 'paused'))!;
    const started = await first.runtime.startExecution({ flow: { ...flow.flow, revision: flow.revision } });
    // Stop as soon as the Pause is waiting: its wake-up is stored, its timer dies with the server.
    for (;;) {
      const e = await first.runtime.get(started.id);
      if (e?.taskRunList.some((r) => r.taskId === 'wait' && r.state.current === 'PAUSED')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop(first);
    expect(await (await openStored()).due()).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 2200));

    const second = await serve();
    const final = await second.runtime.waitForEnd(started.id);
    expect(final.state.current).toBe('SUCCESS');
    expect(final.taskRunList.find((r) => r.taskId === 'after')?.outputs).toEqual({ value: 'after the pause' });
    // The wake-up was fired by the restarted server (re-armed from the store), then forgotten.
    expect(await second.runtime.adapters.wakeUpStore.due(new Date('9999-12-31T00:00:00Z'), 10)).toEqual([]);
    expect((await second.runtime.flowRepo.get(NS, 'paused'))?.revision).toBe(1);
    expect((await second.runtime.logs.list(started.id)).map((l) => l.message)).toContain('before the pause');
  }, 30_000);

  it('fires the schedule dates missed while the server was stopped, by the trigger\'s late-run rules', async () => {
    const clock = new TestClock(new Date('2024-03-14T10:01:00Z'));
    const first = await serve(clock);
    await first.deploy(`id: every10
namespace: ${NS}
inputs:
  - name: slot
    type: STRING
tasks:
  - id: ret
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ inputs.slot }}"
triggers:
  - id: every10
    type: io.kestra.core.models.triggers.types.Schedule
    cron: "*/10 * * * *"
    inputs:
      slot: "{{ trigger.date }}"
`);
    // The first tick sets the baseline: nothing fires.
    expect(await first.tickSchedules()).toEqual([]);
    await stop(first);

    // Down from 10:01 to 10:31: 10:10, 10:20 and 10:30 were missed.
    clock.at = new Date('2024-03-14T10:31:00Z');
    const second = await serve(clock);
    const started = await second.tickSchedules();
    expect(started.map((e) => e.inputs.slot)).toEqual(['2024-03-14T10:10:00Z', '2024-03-14T10:20:00Z', '2024-03-14T10:30:00Z']);
    // Fired once each: the dates are claimed in the data directory.
    expect(await second.tickSchedules()).toEqual([]);
  });

  it('leaves a task still running at a stop to the next start, which retries it as lost, instead of ending its execution KILLED', async () => {
    const first = await serve();
    await first.deploy(`id: slow
namespace: ${NS}
tasks:
  - id: work
    type: io.kestra.core.tasks.scripts.Bash
    retry:
      type: constant
      interval: PT0S
      maxAttempt: 3
    commands:
      - 'if [ {{ taskrun.attemptsCount }} -eq 0 ]; then sleep 60; fi'
`);
    const flow = (await first.runtime.flowRepo.get(NS, 'slow'))!;
    const started = await first.runtime.startExecution({ flow: { ...flow.flow, revision: flow.revision } });
    for (;;) {
      const e = await first.runtime.get(started.id);
      if (e?.taskRunList.some((r) => r.state.current === 'RUNNING')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    open.splice(open.indexOf(first), 1);
    await first.stop({ graceMs: 50 });

    const second = await serve();
    const final = await second.runtime.waitForEnd(started.id);
    expect(final.state.current).toBe('SUCCESS');
    // The first attempt was the stopped one, found lost by the restart; the second ran to its end.
    expect(final.taskRunList[0].attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
  }, 60_000);

  it('runs a WorkingDirectory stopped mid-group again whole at the next start, its tasks with new runs in a new folder', async () => {
    const marker = join(dir, 'waited-once');
    const first = await serve();
    await first.deploy(`id: folder
namespace: ${NS}
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: write
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo shared > a.txt
      - id: wait
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - 'if [ ! -f ${marker} ]; then touch ${marker}; sleep 60; fi'
      - id: read
        type: io.kestra.plugin.scripts.shell.Commands
        taskRunner:
          type: io.kestra.plugin.core.runner.Process
        commands:
          - echo '::{"outputs":{"a":"'"$(cat a.txt)"'"}}::'
`);
    const flow = (await first.runtime.flowRepo.get(NS, 'folder'))!;
    const started = await first.runtime.startExecution({ flow: { ...flow.flow, revision: flow.revision } });
    for (;;) {
      const e = await first.runtime.get(started.id);
      // Its start is reported before its process runs: wait for the marker too, or the rerun would sleep.
      if (e?.taskRunList.some((r) => r.taskId === 'wait' && r.state.current === 'RUNNING') && existsSync(marker)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await stop(first);

    const second = await serve();
    const final = await second.runtime.waitForEnd(started.id);
    expect(final.state.current).toBe('SUCCESS');
    const wdir = final.taskRunList.find((r) => r.taskId === 'wdir')!;
    // The group's first attempt was the stopped one, found lost by the restart; the second ran it all again.
    expect(wdir.attempts.map((a) => a.state.current)).toEqual(['FAILED', 'SUCCESS']);
    expect(final.taskRunList.map((r) => `${r.taskId}:${r.state.current}`)).toEqual(['wdir:SUCCESS', 'write:SUCCESS', 'wait:SUCCESS', 'read:SUCCESS']);
    expect(final.taskRunList.find((r) => r.taskId === 'read')!.outputs).toMatchObject({ vars: { a: 'shared' } });
  }, 60_000);

  it('refuses a second aloft server on the same data directory with a clear error', async () => {
    await serve();
    const out = spawnSync(process.execPath, [join(__dirname, '../../bin/aloft.js'), 'server', '--port', '0', '--data', join(dir, 'data')], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' },
    });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/in use by another Aloft process/);
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });
});
