import { harness, inboxEvent, pushEvent } from './helpers';

const SEQUENTIAL = `
id: chain
namespace: unit.alone
tasks:
  - id: a
    type: io.kestra.core.tasks.debugs.Return
    format: "A"
  - id: b
    type: io.kestra.core.tasks.debugs.Return
    format: "B"
`;

const BRANCHES = `
id: branches
namespace: unit.alone
tasks:
  - id: fan
    type: io.kestra.core.tasks.flows.Parallel
    tasks:
      - id: left
        type: io.kestra.core.tasks.flows.Sequential
        tasks:
          - id: l1
            type: io.kestra.core.tasks.debugs.Return
            format: "l1"
          - id: l2
            type: io.kestra.core.tasks.debugs.Return
            format: "l2"
      - id: right
        type: io.kestra.core.tasks.debugs.Return
        format: "r"
`;

describe('which dispatched attempt runs alone', () => {
  it('marks each task of a chain alone, since nothing else of the execution is in flight', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(SEQUENTIAL));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [a] = h.adapters.queue.take();
    expect(a.alone).toBe(true);
    await h.rt.worker('core', pushEvent(a));
    await h.rt.executor(inboxEvent(execution.id, 'after-a'));
    expect(h.adapters.queue.take()).toEqual([expect.objectContaining({ taskId: 'b', alone: true })]);
  });

  it('does not mark parallel branches, nor a task dispatched while another attempt is in flight', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(BRANCHES));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const first = h.adapters.queue.take();
    expect(first.map((t) => [t.taskId, t.alone])).toEqual([['l1', undefined], ['right', undefined]]);
    await h.rt.worker('core', pushEvent(first.find((t) => t.taskId === 'l1')));
    await h.rt.executor(inboxEvent(execution.id, 'after-l1'));
    // right still runs: l2 is not alone.
    expect(h.adapters.queue.take().map((t) => [t.taskId, t.alone])).toEqual([['l2', undefined]]);
  });

  it('marks the last task alone once the other branch has ended', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(BRANCHES));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const first = h.adapters.queue.take();
    await h.rt.worker('core', pushEvent(first.find((t) => t.taskId === 'right')));
    await h.rt.executor(inboxEvent(execution.id, 'after-right'));
    expect(h.adapters.queue.take()).toEqual([]);
    await h.rt.worker('core', pushEvent(first.find((t) => t.taskId === 'l1')));
    await h.rt.executor(inboxEvent(execution.id, 'after-l1'));
    const [l2] = h.adapters.queue.take();
    expect([l2.taskId, l2.alone]).toEqual(['l2', true]);
    await h.rt.worker('core', pushEvent(l2));
    expect((await h.drive(execution.id)).state.current).toBe('SUCCESS');
  });
});
