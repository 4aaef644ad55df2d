import { ExecutionProcessor, type ProcessorHooks } from '../../../lib/runtime/embedded/processor';
import type { PassResult } from '../../../lib/runtime/core/pass';
import type { Execution } from '../../../lib/model/execution';
import type { OutboxEntry, StateStore } from '../../../lib/ports';

const execution = (id: string): Execution => ({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, state: { current: 'RUNNING', histories: [] }, inputs: {}, taskRunList: [], version: 1,
});
const entry = (id: string): OutboxEntry => ({ id: `${id}:1:0`, executionId: id, effect: { type: 'ScheduleWakeUp', executionId: id, taskRunId: 't', at: '', reason: 'retry' }, createdAt: '' });

/** An inbox per execution; a pass consumes it and returns one outbox entry. */
function world(opts: { sync: boolean; cannot?: Set<string> }) {
  const inbox = new Map<string, number>();
  const log: string[] = [];
  const passNow = (id: string): PassResult | null => {
    if (!inbox.get(id)) return null;
    inbox.delete(id);
    log.push(`pass ${id}`);
    return { before: execution(id), execution: execution(id), outbox: [entry(id)] };
  };
  const store = { hasPending: async (id: string) => !!inbox.get(id) } as unknown as StateStore;
  const hooks: ProcessorHooks = {
    pass: async (id) => passNow(id),
    publish: async (entries) => { log.push(`publish ${entries[0].executionId}`); },
    updated: () => undefined,
    failed: (id, err) => log.push(`failed ${id}: ${String(err)}`),
    ...(opts.sync ? {
      now: {
        pass: (id: string) => (opts.cannot?.has(id) ? undefined : passNow(id)),
        publish: (entries: OutboxEntry[]) => { log.push(`publishNow ${entries[0].executionId}`); return undefined; },
        hasPending: (id: string) => !!inbox.get(id),
      },
    } : {}),
  };
  return { inbox, log, store, hooks };
}

describe('ExecutionProcessor', () => {
  it('folds and publishes without a promise when the fast path can, and takes the asynchronous path when it cannot', async () => {
    const w = world({ sync: true, cannot: new Set(['b']) });
    const p = new ExecutionProcessor(w.store, w.hooks);
    for (const id of ['a', 'b']) { w.inbox.set(id, 1); p.wake(id); }
    await p.idle();
    expect(w.log).toEqual(['pass a', 'publishNow a', 'pass b', 'publish b']);
  });

  it('folds at most passesPerTurn executions per turn, so that other work runs in between', async () => {
    const w = world({ sync: true });
    const p = new ExecutionProcessor(w.store, w.hooks, 2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) { w.inbox.set(id, 1); p.wake(id); }
    setImmediate(() => w.log.push('other'));
    await p.idle();
    expect(w.log.filter((l) => !l.startsWith('publish'))).toEqual(['pass a', 'pass b', 'other', 'pass c', 'pass d', 'pass e']);
  });

  it('reports a failing pass and carries on with the other executions', async () => {
    const w = world({ sync: true });
    w.hooks.now!.pass = (id) => { if (id === 'a') throw new Error('broken'); return null; };
    const p = new ExecutionProcessor(w.store, w.hooks);
    p.wake('a');
    p.wake('b');
    await p.idle();
    expect(w.log).toEqual(['failed a: Error: broken']);
    expect(p.isBusy('a')).toBe(false);
  });

  it('folds started executions before new ones, and gives new ones what a turn has left, at least a sixteenth', async () => {
    const w = world({ sync: true });
    const started = new Set(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
    w.hooks.now!.fresh = (id) => !started.has(id);
    const p = new ExecutionProcessor(w.store, w.hooks, 16);
    const more = ['s10', 's11', 's12', 's13', 's14', 's15', 's16', 's17'];
    for (const id of more) started.add(id);
    for (const id of ['n1', 'n2', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', ...more, 'n3']) { w.inbox.set(id, 1); p.wake(id); }
    const turns: string[][] = [];
    const mark = (): void => { turns.push(w.log.splice(0).filter((l) => l.startsWith('pass')).map((l) => l.slice(5))); };
    setImmediate(() => { mark(); setImmediate(mark); });
    await p.idle();
    await new Promise((r) => setImmediate(r));
    // Turn 1: sixteen started ones fill the turn, one new one still gets its sixteenth. Turn 2: the rest.
    expect(turns[0]).toEqual(['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', ...more.slice(0, 7), 'n1']);
    expect(turns[1]).toEqual(['s17', 'n2', 'n3']);
  });

  it('admits at most an eighth of a turn as new executions, even when started ones leave more of it', async () => {
    const w = world({ sync: true });
    w.hooks.now!.fresh = () => true;
    const p = new ExecutionProcessor(w.store, w.hooks, 16);
    const fresh = Array.from({ length: 7 }, (_, i) => `n${i + 1}`);
    for (const id of fresh) { w.inbox.set(id, 1); p.wake(id); }
    const turns: string[][] = [];
    const mark = (): void => { turns.push(w.log.splice(0).filter((l) => l.startsWith('pass')).map((l) => l.slice(5))); };
    setImmediate(() => { mark(); setImmediate(() => { mark(); setImmediate(() => { mark(); setImmediate(mark); }); }); });
    await p.idle();
    await new Promise((r) => setImmediate(r));
    // Nothing started: each turn could fold sixteen, and takes two new ones (an eighth of sixteen).
    expect(turns.slice(0, 4)).toEqual([['n1', 'n2'], ['n3', 'n4'], ['n5', 'n6'], ['n7']]);
  });
});
