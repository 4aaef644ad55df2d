import { newSlot, type Slot } from '../../../../lib/adapters/sqlite/execution-slot';
import { SlotCache } from '../../../../lib/adapters/sqlite/slot-cache';
import type { Execution } from '../../../../lib/model/execution';
import { newStateRecord } from '../../../../lib/model/states';

const slot = (id: string): Slot => newSlot({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('SUCCESS', new Date(0)), inputs: {}, taskRunList: [], version: 1,
} as Execution, undefined);

describe('SlotCache', () => {
  it('keeps live executions however many there are, and drops the least recently used ended one past its size', () => {
    const cache = new SlotCache(2);
    for (const id of ['l1', 'l2', 'l3']) cache.setLive(id, slot(id));
    const [a, b, c] = ['a', 'b', 'c'].map(slot);
    cache.remember('a', a);
    cache.remember('b', b);
    expect(cache.get('a')).toBe(a);
    cache.remember('c', c);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(a);
    expect(cache.get('c')).toBe(c);
    expect([...cache.liveSlots()].map(([id]) => id)).toEqual(['l1', 'l2', 'l3']);
  });

  it('moves a released execution to the ended ones, and only the slot it holds', () => {
    const cache = new SlotCache(10);
    const live = slot('x');
    cache.setLive('x', live);
    cache.release(slot('x'));
    expect(cache.hasLive('x')).toBe(true);
    cache.release(live);
    expect(cache.hasLive('x')).toBe(false);
    expect(cache.get('x')).toBe(live);
  });

  it('brings a changed ended execution back among the live ones, so that eviction cannot drop its writes', () => {
    const cache = new SlotCache(1);
    const x = slot('x');
    cache.remember('x', x);
    cache.keepLive(x);
    cache.remember('y', slot('y'));
    cache.remember('z', slot('z'));
    expect(cache.hasLive('x')).toBe(true);
    expect(cache.get('x')).toBe(x);
  });

  it('forgets an execution wherever it is', () => {
    const cache = new SlotCache(5);
    cache.setLive('l', slot('l'));
    cache.remember('e', slot('e'));
    cache.forget('l');
    cache.forget('e');
    expect(cache.get('l')).toBeUndefined();
    expect(cache.get('e')).toBeUndefined();
  });

  it('releases a slot written in a batch only once that batch is committed, and not one changed since', () => {
    const cache = new SlotCache(10);
    const [a, b] = ['a', 'b'].map(slot);
    cache.setLive('a', a);
    cache.setLive('b', b);
    cache.releaseAfter(a, 1);
    cache.releaseAfter(b, 2);
    b.dirty = true;
    cache.acked(0);
    expect(cache.hasLive('a')).toBe(true);
    cache.acked(2);
    expect(cache.hasLive('a')).toBe(false);
    expect(cache.get('a')).toBe(a);
    // Changed after its write: it stays live, to be written (and released) again.
    expect(cache.hasLive('b')).toBe(true);
  });

  it('keeps live a slot changed and journaled in a later batch, or waiting to settle again, when the batch of its tables is committed', () => {
    const cache = new SlotCache(0);
    const [journaled, settling, keyed] = ['j', 's', 'k'].map(slot);
    for (const s of [journaled, settling, keyed]) cache.setLive(s.execution.id, s);
    for (const s of [journaled, settling, keyed]) cache.releaseAfter(s, 5);
    // Batch 6 holds a journal row of one, the next settle holds another, and event keys of the third.
    journaled.firstSeq = 6;
    settling.settling = true;
    keyed.sent = new Set(['x']);
    keyed.sentSeq = 6;
    cache.acked(5);
    // Its tables are as of batch 5: read back from them (the cache of ended ones holds none), it would lose batch 6.
    expect([cache.hasLive('j'), cache.hasLive('s'), cache.hasLive('k')]).toEqual([true, true, true]);
  });
});
