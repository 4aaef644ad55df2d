// The embedded runtime end to end through its own API: restart, resume, replay, kill and duplicate deliveries.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataDir } from '../../../lib/runtime/embedded/data-dir';
import { LocalRuntime, type LocalRuntimeOptions } from '../../../lib/runtime/embedded/runtime';

const runtimes: LocalRuntime[] = [];
const dirs: string[] = [];

function newRuntime(extra: Partial<LocalRuntimeOptions> = {}): { runtime: LocalRuntime; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'aloft-local-'));
  dirs.push(dir);
  const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir }, ...extra });
  runtimes.push(runtime);
  return { runtime, dir };
}

afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((r) => r.stop()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function run(runtime: LocalRuntime, yaml: string, inputs?: Record<string, unknown>) {
  const { flow } = await runtime.deploy(yaml);
  const started = await runtime.startExecution({ flow, inputs });
  return runtime.waitForEnd(started.id);
}

describe('the embedded runtime', () => {
  it('restarts a failed execution: the failed run goes RESTARTED and succeeds with a new attempt', async () => {
    const { runtime, dir } = newRuntime();
    const marker = join(dir, 'fixed');
    const failed = await run(runtime, `
id: restartable
namespace: test.local
tasks:
  - id: first
    type: io.kestra.core.tasks.debugs.Return
    format: ok
  - id: flaky
    type: io.kestra.core.tasks.scripts.Bash
    commands: ['test -f ${marker}']
`);
    expect(failed.state.current).toBe('FAILED');
    writeFileSync(marker, '');
    await runtime.restart(failed.id);
    const restarted = await runtime.waitForEnd(failed.id);
    expect(restarted.state.current).toBe('SUCCESS');
    const flaky = restarted.taskRunList.find((r) => r.taskId === 'flaky')!;
    expect(flaky.attempts).toHaveLength(2);
    expect(flaky.state.histories.map((h) => h.state)).toContain('RESTARTED');
    expect(restarted.taskRunList.filter((r) => r.taskId === 'first')).toHaveLength(1);
  });

  it('waits PAUSED for a manual resume, then carries on with the resume inputs', async () => {
    const { runtime } = newRuntime();
    const paused = await run(runtime, `
id: approval
namespace: test.local
tasks:
  - id: approve
    type: io.kestra.core.tasks.flows.Pause
  - id: after
    type: io.kestra.core.tasks.debugs.Return
    format: "approved by {{ outputs.approve.onResume.who }}"
`);
    expect(paused.state.current).toBe('PAUSED');
    await runtime.resume(paused.id, { who: 'ada' });
    const done = await runtime.waitForEnd(paused.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.find((r) => r.taskId === 'after')?.outputs).toEqual({ value: 'approved by ada' });
  });

  it('replays an execution from a chosen task run into a new execution', async () => {
    const { runtime } = newRuntime();
    const first = await run(runtime, `
id: replayable
namespace: test.local
tasks:
  - id: a
    type: io.kestra.core.tasks.debugs.Return
    format: a
  - id: b
    type: io.kestra.core.tasks.debugs.Return
    format: "{{ outputs.a.value }}b"
`);
    const b = first.taskRunList.find((r) => r.taskId === 'b')!;
    const replayed = await runtime.replay(first.id, b.id);
    const done = await runtime.waitForEnd(replayed.id);
    expect(done.id).not.toBe(first.id);
    expect(done.originalId).toBe(first.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.find((r) => r.taskId === 'b')?.outputs).toEqual({ value: 'ab' });
  });

  it('kills a running execution: running scripts stop and the execution ends KILLED', async () => {
    const { runtime } = newRuntime();
    const { flow } = await runtime.deploy(`
id: killable
namespace: test.local
tasks:
  - id: both
    type: io.kestra.core.tasks.flows.Parallel
    tasks:
      - id: s1
        type: io.kestra.core.tasks.scripts.Bash
        commands: ['sleep 60']
      - id: s2
        type: io.kestra.core.tasks.scripts.Bash
        commands: ['sleep 60']
  - id: never
    type: io.kestra.core.tasks.debugs.Return
    format: x
`);
    const started = await runtime.startExecution({ flow });
    await new Promise<void>((resolve) => {
      const off = runtime.onUpdate((e) => {
        if (e.id === started.id && e.taskRunList.filter((r) => r.state.current === 'RUNNING' && r.taskId.startsWith('s')).length === 2) { off(); resolve(); }
      });
    });
    await runtime.kill(started.id);
    const killed = await runtime.waitForEnd(started.id);
    expect(killed.state.current).toBe('KILLED');
    expect(killed.taskRunList.find((r) => r.taskId === 'never')).toBeUndefined();
    for (const id of ['s1', 's2']) expect(killed.taskRunList.find((r) => r.taskId === id)?.state.current).toBe('KILLED');
  });

  it('never declares an attempt that runs in this process lost, however late its heartbeat (a busy event loop)', async () => {
    const { runtime } = newRuntime();
    const { flow } = await runtime.deploy(`
id: slow
namespace: test.local
tasks:
  - id: work
    type: io.kestra.core.tasks.scripts.Bash
    retry:
      type: constant
      interval: PT0S
      maxAttempt: 3
    commands: ['sleep 1']
`);
    const started = await runtime.startExecution({ flow });
    await new Promise<void>((resolve) => {
      const off = runtime.onUpdate((e) => {
        if (e.id === started.id && e.taskRunList[0]?.state.current === 'RUNNING') { off(); resolve(); }
      });
    });
    // An hour later by the sweep's clock: every heartbeat of the running attempt is far too old.
    await runtime.sweep(new Date(Date.now() + 3_600_000));
    const done = await runtime.waitForEnd(started.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList[0].attempts.map((a) => a.state.current)).toEqual(['SUCCESS']);
  });

  it('runs each attempt once when every worker task is delivered twice', async () => {
    const { runtime, dir } = newRuntime({ duplicateDeliveries: true });
    const log = join(dir, 'runs.log');
    const done = await run(runtime, `
id: once
namespace: test.local
tasks:
  - id: each
    type: io.kestra.core.tasks.flows.EachParallel
    value: ["a", "b", "c"]
    tasks:
      - id: note
        type: io.kestra.core.tasks.scripts.Bash
        commands: ['echo "{{ taskrun.value }}" >> ${log}']
`);
    expect(done.state.current).toBe('SUCCESS');
    expect(readFileSync(log, 'utf8').trim().split('\n').sort()).toEqual(['a', 'b', 'c']);
  });

  it('ends FAILED when a pause times out without a resume', async () => {
    const { runtime } = newRuntime();
    const done = await run(runtime, `
id: timeout
namespace: test.local
tasks:
  - id: wait
    type: io.kestra.core.tasks.flows.Pause
    timeout: PT0.3S
`);
    expect(done.state.current).toBe('FAILED');
  });

  it('keeps its files under the data folder it was given', async () => {
    const { runtime, dir } = newRuntime();
    const done = await run(runtime, `
id: files
namespace: test.local
tasks:
  - id: write
    type: io.kestra.core.tasks.scripts.Bash
    outputFiles: [out.txt]
    commands: ['echo hi > out.txt']
`);
    const uri = String((done.taskRunList[0].outputs?.outputFiles as Record<string, string>)['out.txt']);
    const path = join(dir, 'storage', decodeURIComponent(uri.slice('kestra:///'.length)));
    expect(existsSync(path)).toBe(true);
    appendFileSync(path, ''); // the file is a plain file the user can read
  });
});

describe('waiting for an execution to settle', () => {
  it('does not stop at PAUSED while a sibling branch is still working', async () => {
    const { runtime } = newRuntime();
    const done = await run(runtime, `
id: half-paused
namespace: test.local
tasks:
  - id: both
    type: io.kestra.core.tasks.flows.Parallel
    tasks:
      - id: approve
        type: io.kestra.core.tasks.flows.Pause
      - id: work
        type: io.kestra.core.tasks.scripts.Bash
        commands: ['sleep 0.3', 'echo done']
`);
    expect(done.state.current).toBe('PAUSED');
    expect(done.taskRunList.find((r) => r.taskId === 'work')?.state.current).toBe('SUCCESS');
  });
});

describe('a flow-level retry', () => {
  it('retries a task that has no policy of its own', async () => {
    const { runtime, dir } = newRuntime();
    const counter = join(dir, 'tries');
    const done = await run(runtime, `
id: flow-retry
namespace: test.local
retry:
  type: constant
  interval: PT0.1S
  maxAttempt: 3
tasks:
  - id: flaky
    type: io.kestra.core.tasks.scripts.Bash
    warningOnStdErr: false
    commands: ['echo x >> ${counter}', 'test $(wc -l < ${counter}) -ge 2']
`);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList[0].attempts).toHaveLength(2);
  });
});

describe.each([
  ['in memory', false],
  ['on a data directory', true],
])('a worker task %s', (_where, persistent) => {
  it('that could not be queued stays in the outbox, and the sweep carries it out again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-local-'));
    dirs.push(dir);
    const adapters = persistent ? await openDataDir(join(dir, 'data')) : undefined;
    const runtime = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir }, ...(adapters ? { adapters } : {}) });
    runtimes.push(runtime);
    const { flow } = await runtime.deploy(`
id: queued
namespace: test.local
tasks:
  - id: hello
    type: io.kestra.core.tasks.debugs.Return
    format: "hi"
`);
    const farFuture = new Date(Date.now() + 3_600_000);
    const first = await runtime.waitForEnd((await runtime.startExecution({ flow })).id);
    expect(first.state.current).toBe('SUCCESS');
    // Queued and claimed: nothing is left to carry out.
    expect(await runtime.store.unpublished(farFuture, 100)).toEqual([]);

    const publishNow = runtime.queue.publishNow.bind(runtime.queue);
    runtime.queue.publishNow = () => { throw new Error('queue full'); };
    const started = await runtime.startExecution({ flow });
    await new Promise<void>((resolve) => {
      const off = runtime.onUpdate((e) => { if (e.id === started.id && e.taskRunList.length > 0) { off(); resolve(); } });
    });
    await new Promise((r) => setImmediate(r));
    const left = await runtime.store.unpublished(farFuture, 100);
    expect(left.map((e) => [e.executionId, e.effect.type])).toEqual([[started.id, 'DispatchWorkerTask']]);
    expect(runtime.internalErrors().map((e) => e.error.message)).toEqual(['queue full']);

    runtime.queue.publishNow = publishNow;
    await runtime.sweep(farFuture);
    expect((await runtime.waitForEnd(started.id)).state.current).toBe('SUCCESS');
    expect(await runtime.store.unpublished(farFuture, 100)).toEqual([]);
    await runtime.close();
  });
});
