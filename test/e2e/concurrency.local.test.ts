// A flow's `concurrency` on the embedded runtime: executions beyond the limit wait QUEUED and start in
// arrival order as slots free, or end CANCELLED / FAILED; a queue on a data directory survives a restart.
import { join } from 'node:path';
import type { Execution } from '../../lib/model/execution';
import type { State } from '../../lib/model/states';
import { openDataDir } from '../../lib/runtime/embedded/data-dir';
import { LocalRuntime } from '../../lib/runtime/embedded/runtime';
import { waitFor } from '../contract/suites/helpers';
import { tempDir } from '../helpers/temp-dirs';

const NS = 'e2e.concurrency';
const flowWith = (id: string, concurrency: string): string => `id: ${id}
namespace: ${NS}
concurrency:
${concurrency}
tasks:
  - id: wait
    type: io.kestra.plugin.core.flow.Pause
  - id: done
    type: io.kestra.plugin.core.debug.Return
    format: "{{ execution.id }}"
`;

describe('flow concurrency on the embedded runtime', () => {
  const open: LocalRuntime[] = [];
  afterEach(async () => {
    for (const rt of open.splice(0)) await rt.close();
  });

  async function runtime(dataDir?: string): Promise<LocalRuntime> {
    const dir = dataDir ?? tempDir('aloft-concurrency-');
    const rt = new LocalRuntime({ env: { ALOFT_DATA_DIR: dir }, ...(dataDir ? { adapters: await openDataDir(join(dir, 'data')) } : {}) });
    open.push(rt);
    return rt;
  }

  async function start(rt: LocalRuntime, flowId: string): Promise<string> {
    const stored = (await rt.flowRepo.get(NS, flowId))!;
    return (await rt.startExecution({ flow: { ...stored.flow, revision: stored.revision } })).id;
  }

  const stateOf = async (rt: LocalRuntime, id: string): Promise<State | undefined> => (await rt.get(id))?.state.current;
  const reach = (rt: LocalRuntime, id: string, state: State): Promise<void> =>
    waitFor(async () => (await stateOf(rt, id)) === state, `execution ${id} ${state}`);
  const historyOf = (e: Execution): State[] => e.state.histories.map((h) => h.state);

  it('queues executions beyond the limit and starts them in arrival order as each running one ends', async () => {
    const rt = await runtime();
    await rt.deploy(flowWith('queued', '  limit: 1'));
    const a = await start(rt, 'queued');
    await reach(rt, a, 'PAUSED');
    const b = await start(rt, 'queued');
    const c = await start(rt, 'queued');
    await reach(rt, b, 'QUEUED');
    await reach(rt, c, 'QUEUED');
    expect((await rt.get(b))!.taskRunList).toEqual([]);

    await rt.resume(a);
    expect((await rt.waitForEnd(a)).state.current).toBe('SUCCESS');
    await reach(rt, b, 'PAUSED');
    expect(await stateOf(rt, c)).toBe('QUEUED');
    await rt.resume(b);
    await reach(rt, c, 'PAUSED');
    await rt.resume(c);
    const ended = await rt.waitForEnd(c);
    expect(ended.state.current).toBe('SUCCESS');
    expect(historyOf(ended)).toEqual(['CREATED', 'QUEUED', 'RUNNING', 'PAUSED', 'RUNNING', 'SUCCESS']);
    expect(ended.taskRunList.find((r) => r.taskId === 'done')?.outputs).toEqual({ value: c });
    expect(await rt.store.flowSlots(NS, 'queued')).toEqual({ running: [], queued: [] });
  });

  it('cancels or fails an execution beyond the limit, and frees the slot of a killed one', async () => {
    const rt = await runtime();
    await rt.deploy(flowWith('cancelled', '  limit: 1\n  behavior: CANCEL'));
    await rt.deploy(flowWith('failed', '  limit: 1\n  behavior: FAIL'));
    const holder = await start(rt, 'cancelled');
    await reach(rt, holder, 'PAUSED');
    const cancelled = await rt.waitForEnd(await start(rt, 'cancelled'));
    expect(cancelled.state.current).toBe('CANCELLED');
    expect(cancelled.taskRunList).toEqual([]);

    const failHolder = await start(rt, 'failed');
    await reach(rt, failHolder, 'PAUSED');
    const failed = await rt.waitForEnd(await start(rt, 'failed'));
    expect(failed.state.current).toBe('FAILED');
    expect(failed.error).toMatchObject({ code: 'CONCURRENCY_LIMIT', message: 'Flow is FAILED due to concurrency limit exceeded' });

    await rt.kill(holder);
    expect((await rt.waitForEnd(holder)).state.current).toBe('KILLED');
    const next = await start(rt, 'cancelled');
    await reach(rt, next, 'PAUSED');
  });

  it('keeps a queued execution across a restart of the durable runtime, and starts it when the slot frees', async () => {
    const dir = tempDir('aloft-concurrency-durable-');
    const first = await runtime(dir);
    await first.deploy(flowWith('durable', '  limit: 1'));
    const a = await start(first, 'durable');
    await reach(first, a, 'PAUSED');
    const b = await start(first, 'durable');
    await reach(first, b, 'QUEUED');
    open.splice(open.indexOf(first), 1);
    await first.close();

    const second = await runtime(dir);
    await second.start();
    expect(await stateOf(second, b)).toBe('QUEUED');
    await second.resume(a);
    expect((await second.waitForEnd(a)).state.current).toBe('SUCCESS');
    await reach(second, b, 'PAUSED');
    await second.resume(b);
    expect((await second.waitForEnd(b)).state.current).toBe('SUCCESS');
  });
});
