// The cloud runtime object that functions/ call (lib/wiring/cloud-runtime.ts): how it closes.
import { harness, inboxEvent, pushEvent, TestClock } from './helpers';

class WallClock extends TestClock {
  override now(): Date { return new Date(); }
}

describe('the cloud runtime', () => {
  // One case starts a real Bash task and waits for its claim: on a loaded CI machine that outlasted jest's 5 s.
  jest.setTimeout(30_000);

  it('closes its clients only once the invocations still running are done with them', async () => {
    const h = await harness();
    const events: string[] = [];
    h.adapters.close = async () => { events.push('clients closed'); };
    // A scheduler pass whose query is still out when the runtime is told to close (its HTTP server was
    // closed under it): the clients must outlive the query, or the query fails out of anyone's reach.
    let answer!: (ids: string[]) => void;
    h.adapters.stranded.find = () => new Promise<string[]>((resolve) => { answer = resolve; });
    const pass = h.rt.tick().then(() => events.push('pass ended'));
    await new Promise((r) => setImmediate(r));
    const closed = h.rt.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([]);
    answer([]);
    await Promise.all([pass, closed]);
    expect(events).toEqual(['pass ended', 'clients closed']);
  });

  it('abandons the attempts its worker runs when it closes: they report nothing and their claims stay RUNNING', async () => {
    const h = await harness({ clock: new WallClock() });
    const execution = await h.start(await h.deploy(`
id: long
namespace: unit.cloud
tasks:
  - id: slow
    type: io.kestra.core.tasks.scripts.Bash
    commands:
      - sleep 600
`));
    await h.rt.executor(inboxEvent(execution.id, 'created'));
    const [task] = h.adapters.queue.take();
    const working = h.rt.worker('scripts', pushEvent(task));
    while ((await h.adapters.ledger.stale(new Date(Date.now() + 1000), 10)).length === 0) await new Promise((r) => setTimeout(r, 5));
    await h.rt.close();
    await working;
    // The start notice (ALOFT_START_NOTICE_MS after the claim) may have gone out before close on a slow
    // machine; what must not is any result of the attempt.
    let inbox: string[] = [];
    await h.adapters.store.transact(execution.id, (_e, pending) => { inbox = pending.map((p) => p.event.type); return null; }, new Date());
    expect(inbox.filter((type) => type !== 'AttemptStarted')).toEqual([]);
    expect(await h.adapters.ledger.stale(new Date(Date.now() + 1000), 10)).toEqual([expect.objectContaining({ taskRunId: task.taskRunId, attempt: 0 })]);
  });
});
