import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryAdapters } from '../../../lib/runtime/embedded/adapters';
import { LocalRuntime } from '../../../lib/runtime/embedded/runtime';
import { InProcessAttempts } from '../../../lib/runtime/core/worker-handler';
import { LazyAbortController } from '../../../lib/worker';

describe('InProcessAttempts', () => {
  it('stops only the attempt it is asked to, even when two executions share a task run id', () => {
    const running = new InProcessAttempts();
    const a0 = new LazyAbortController();
    const b0 = new LazyAbortController();
    const a1 = new LazyAbortController();
    running.add({ executionId: 'a', taskRunId: 'r', attempt: 0 }, a0);
    running.add({ executionId: 'b', taskRunId: 'r', attempt: 0 }, b0);
    running.add({ executionId: 'a', taskRunId: 'r', attempt: 1 }, a1);
    running.stop({ executionId: 'b', taskRunId: 'r', attempt: 0 });
    expect([a0.aborted, b0.aborted, a1.aborted]).toEqual([false, true, false]);
    running.remove({ executionId: 'a', taskRunId: 'r', attempt: 1 });
    running.stop({ executionId: 'a', taskRunId: 'r', attempt: 1 });
    expect(a1.aborted).toBe(false);
    running.abortAll();
    expect(a0.aborted).toBe(true);
  });

  it('abandons its attempts only when a stop says so: then an aborted attempt reports nothing', () => {
    const killed = new InProcessAttempts();
    killed.add({ executionId: 'a', taskRunId: 'r', attempt: 0 }, new LazyAbortController());
    killed.abortAll();
    expect(killed.abandoned).toBe(false);
    const stopped = new InProcessAttempts();
    const c = new LazyAbortController();
    stopped.add({ executionId: 'a', taskRunId: 'r', attempt: 0 }, c);
    stopped.abortAll({ abandon: true });
    expect([stopped.abandoned, c.aborted]).toEqual([true, true]);
  });

  it('forgets a removed attempt', () => {
    const running = new InProcessAttempts();
    const c = new LazyAbortController();
    const key = { executionId: 'a', taskRunId: 'r', attempt: 0 };
    running.add(key, c);
    running.remove({ ...key });
    running.stop(key);
    expect(c.aborted).toBe(false);
  });
});

describe('a worker on a store whose writes become durable later', () => {
  const flow = (type: string, prop: string): string => `id: gated
namespace: unit.durable
tasks:
  - id: t
    type: ${type}
    ${prop}: hello
`;

  async function runtimeWithGate(): Promise<{ rt: LocalRuntime; open(): void; cleanup(): Promise<void> }> {
    const dir = mkdtempSync(join(tmpdir(), 'aloft-durable-gate-'));
    let open = (): void => undefined;
    let gate = new Promise<void>((resolve) => { open = resolve; });
    const adapters = { ...memoryAdapters(), durable: () => gate };
    const rt = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir, ALOFT_RECOVERY_INTERVAL_MS: '0' }, adapters });
    const release = (): void => { open(); gate = Promise.resolve(); };
    return {
      rt,
      open: release,
      cleanup: async () => { release(); await rt.stop(); rmSync(dir, { recursive: true, force: true }); },
    };
  }

  it('runs a task only once its claim is durable', async () => {
    const { rt, open, cleanup } = await runtimeWithGate();
    try {
      const { flow: f } = await rt.deploy(flow('io.kestra.core.tasks.log.Log', 'message'));
      const e = await rt.startExecution({ flow: f });
      await new Promise((r) => setTimeout(r, 100));
      const claimed = await rt.get(e.id);
      // Dispatched and claimed, but not started: no attempt has run.
      expect(claimed?.taskRunList.map((r) => r.state.current)).toEqual(['CREATED']);
      expect(await rt.logs.list(e.id)).toEqual([]);
      open();
      expect((await rt.waitForEnd(e.id)).state.current).toBe('SUCCESS');
    } finally {
      await cleanup();
    }
  });

  it('runs a pure task (Return) at once: running it again after a crash is harmless', async () => {
    const { rt, cleanup } = await runtimeWithGate();
    try {
      const { flow: f } = await rt.deploy(flow('io.kestra.core.tasks.debugs.Return', 'format'));
      const e = await rt.startExecution({ flow: f });
      // The gate never opens here.
      expect((await rt.waitForEnd(e.id)).state.current).toBe('SUCCESS');
    } finally {
      await cleanup();
    }
  });
});
