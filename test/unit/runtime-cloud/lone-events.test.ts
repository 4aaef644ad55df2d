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

const GROUP = `
id: group
namespace: unit.alone
tasks:
  - id: wdir
    type: io.kestra.plugin.core.flow.WorkingDirectory
    tasks:
      - id: w1
        type: io.kestra.core.tasks.debugs.Return
        format: "w1"
      - id: w2
        type: io.kestra.core.tasks.debugs.Return
        format: "{{ outputs.w1.value }} then w2"
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

  it('never marks a WorkingDirectory alone: its worker appends its tasks\' starts and results before its own', async () => {
    const h = await harness();
    const execution = await h.start(await h.deploy(GROUP));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [group] = h.adapters.queue.take();
    expect([group.taskId, group.group, group.alone]).toEqual(['wdir', 'core', undefined]);
    await h.rt.worker('core', pushEvent(group));
    const done = await h.drive(execution.id);
    expect(done.state.current).toBe('SUCCESS');
    expect(done.taskRunList.map((r) => [r.taskId, r.state.current, r.outputs?.value])).toEqual([
      ['wdir', 'SUCCESS', undefined], ['w1', 'SUCCESS', 'w1'], ['w2', 'SUCCESS', 'w1 then w2'],
    ]);
  });
});
