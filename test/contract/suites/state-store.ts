// The StateStore contract, run against every adapter (in memory, Firestore on its emulator).
import type { Execution } from '../../../lib/model/execution';
import type { Effect } from '../../../lib/model/effects';
import type { ExecutionEvent } from '../../../lib/model/events';
import type { PendingEvent, StateStore } from '../../../lib/ports/state-store';
import { newStateRecord, type State } from '../../../lib/model/states';
import { codeOf, unique } from './helpers';

export interface StateStoreFixture {
  store: StateStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2024-03-14T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

export function execution(id: string, over: Partial<Execution> & { start?: Date; current?: State } = {}): Execution {
  const { start = T0, current = 'CREATED', ...rest } = over;
  return {
    id, namespace: 'io.aloft.tests', flowId: 'flow', flowRevision: 1, state: newStateRecord(current, start), inputs: {},
    taskRunList: [], version: 0, ...rest,
  };
}

const pending = (key: string, event: ExecutionEvent = { type: 'Kill' }): PendingEvent => ({ key, event, at: T0.toISOString() });
const created = (key = 'created'): PendingEvent => pending(key, { type: 'ExecutionCreated' });
const ended = (e: Execution): Effect => ({
  type: 'ExecutionEnded', executionId: e.id, namespace: e.namespace, flowId: e.flowId, flowRevision: e.flowRevision, state: 'SUCCESS',
});
const withLabel = (e: Execution, key: string, value: string): Execution => ({ ...e, labels: { ...e.labels, [key]: value } });

export function stateStoreContract(name: string, make: () => Promise<StateStoreFixture>): void {
  describe(`StateStore contract: ${name}`, () => {
    let fx: StateStoreFixture;
    let store: StateStore;
    beforeEach(async () => {
      fx = await make();
      store = fx.store;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    describe('create and get', () => {
      it('returns the execution it created, with its version', async () => {
        const id = unique('exec');
        await store.create(execution(id, { inputs: { n: 1, s: 'x', list: [1, 2] } }), created());
        const got = await store.get(id);
        expect(got).toMatchObject({ id, version: 0, inputs: { n: 1, s: 'x', list: [1, 2] }, state: { current: 'CREATED' } });
      });

      it('returns null for an execution that does not exist', async () => {
        expect(await store.get(unique('missing'))).toBeNull();
        expect(await store.getHeader(unique('missing'))).toBeNull();
      });

      it('returns the header of an execution without its task runs', async () => {
        const id = unique('exec');
        await store.create(execution(id, { flowId: 'other', flowRevision: 3, inputs: { n: 1 } }), created());
        const header = await store.getHeader(id);
        expect(header).toMatchObject({ id, flowId: 'other', flowRevision: 3, inputs: { n: 1 }, version: 0 });
        expect(header).not.toHaveProperty('taskRunList');
      });

      it('rejects a second create with the same id with CONFLICT', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        expect(await codeOf(store.create(execution(id), created('again')))).toBe('CONFLICT');
      });

      it('queues the first event of a new execution', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        expect(await store.hasPending(id)).toBe(true);
      });
    });

    describe('append', () => {
      it('queues an event and reports that it did', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        expect(await store.append(id, pending('kill-1'))).toBe(true);
        const seen: string[] = [];
        await store.transact(id, (e, events) => {
          seen.push(...events.map((p) => p.key));
          return { execution: e, effects: [] };
        }, at(1));
        expect(seen).toEqual(['created', 'kill-1']);
      });

      it('ignores a second append with the same key', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        expect(await store.append(id, pending('dup'))).toBe(true);
        expect(await store.append(id, pending('dup'))).toBe(false);
        let count = 0;
        await store.transact(id, (e, events) => {
          count = events.length;
          return { execution: e, effects: [] };
        }, at(1));
        expect(count).toBe(2);
      });

      it('ignores an append whose key was already consumed', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.append(id, pending('once'));
        await store.transact(id, (e) => ({ execution: e, effects: [] }), at(1));
        expect(await store.hasPending(id)).toBe(false);
        expect(await store.append(id, pending('once'))).toBe(false);
        expect(await store.hasPending(id)).toBe(false);
      });

      it('rejects an append to an unknown execution with NOT_FOUND', async () => {
        expect(await codeOf(store.append(unique('missing'), pending('k')))).toBe('NOT_FOUND');
      });
    });

    describe('transact', () => {
      it('gives fold the stored execution and its pending events, oldest first', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.append(id, pending('b', { type: 'Resume', inputs: { a: 1 } }));
        await store.append(id, pending('c', { type: 'Restart' }));
        let given: { version: number; keys: string[]; types: string[] } | undefined;
        await store.transact(id, (e, events) => {
          given = { version: e.version, keys: events.map((p) => p.key), types: events.map((p) => p.event.type) };
          return { execution: e, effects: [] };
        }, at(1));
        expect(given).toEqual({ version: 0, keys: ['created', 'b', 'c'], types: ['ExecutionCreated', 'Resume', 'Restart'] });
      });

      it('saves the folded execution with the version bumped and consumes the events', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        const out = await store.transact(id, (e) => ({ execution: { ...withLabel(e, 'k', 'v'), state: newStateRecord('RUNNING', at(1)) }, effects: [] }), at(1));
        expect(out?.execution).toMatchObject({ id, version: 1, labels: { k: 'v' }, state: { current: 'RUNNING' } });
        expect(await store.get(id)).toMatchObject({ version: 1, labels: { k: 'v' }, state: { current: 'RUNNING' } });
        expect(await store.hasPending(id)).toBe(false);
      });

      it('bumps the version whatever version the fold returns', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.transact(id, (e) => ({ execution: { ...e, version: 42 }, effects: [] }), at(1));
        expect((await store.get(id))?.version).toBe(1);
        await store.append(id, pending('next'));
        await store.transact(id, (e) => ({ execution: e, effects: [] }), at(2));
        expect((await store.get(id))?.version).toBe(2);
      });

      it('changes nothing when fold returns null', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        expect(await store.transact(id, () => null, at(1))).toBeNull();
        expect(await store.get(id)).toMatchObject({ version: 0 });
        expect(await store.hasPending(id)).toBe(true);
        expect(await store.unpublished(at(3600), 100)).toEqual([]);
      });

      it('rejects a transaction on an unknown execution with NOT_FOUND', async () => {
        expect(await codeOf(store.transact(unique('missing'), (e) => ({ execution: e, effects: [] }), at(1)))).toBe('NOT_FOUND');
      });

      it('puts the effects in the outbox and returns them', async () => {
        const id = unique('exec');
        const e0 = execution(id);
        await store.create(e0, created());
        const out = await store.transact(id, (e) => ({ execution: e, effects: [ended(e0), ended(e0)] }), at(1));
        expect(out?.outbox).toHaveLength(2);
        const [a, b] = out!.outbox;
        expect(a).toMatchObject({ executionId: id, effect: ended(e0), createdAt: at(1).toISOString() });
        expect(a.id).not.toBe(b.id);
        const waiting = await store.unpublished(at(2), 100);
        expect(waiting.map((w) => w.id).sort()).toEqual([a.id, b.id].sort());
      });

      it('lets exactly one of two concurrent transactions win, or serialises them', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        const results = await Promise.allSettled([
          store.transact(id, (e) => ({ execution: withLabel(e, 'first', String(e.version)), effects: [] }), at(1)),
          store.transact(id, (e) => ({ execution: withLabel(e, 'second', String(e.version)), effects: [] }), at(1)),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled' && r.value !== null).length;
        for (const r of results) if (r.status === 'rejected') expect(String((r.reason as { code?: string }).code)).toBe('CONFLICT');
        expect(won).toBeGreaterThanOrEqual(1);
        const final = await store.get(id);
        expect(final?.version).toBe(won);
        // What was committed is what the winners folded: none of them was lost.
        const labels = final?.labels ?? {};
        expect(Object.keys(labels)).toHaveLength(won);
        if (won === 2) expect(Object.values(labels).sort()).toEqual(['0', '1']);
      });

      // Concurrent transactions on one document retry with backoff on the Firestore emulator, which queues
      // them behind its locks: twenty writers outlasted 30 s at load 10, and once 120 s in CI beside the other
      // suites (a few seconds on a quiet machine). Ten still contend on every fold.
      it('keeps every event appended by concurrent writers, each consumed exactly once', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        const keys = Array.from({ length: 10 }, (_, i) => `ev-${i}`);
        const consumed: string[] = [];
        const foldOnce = async (): Promise<void> => {
          for (let tries = 0; tries < 20; tries++) {
            const local: string[] = [];
            try {
              const out = await store.transact(id, (e, events) => {
                local.splice(0, local.length, ...events.map((p) => p.key));
                return events.length ? { execution: e, effects: [] } : null;
              }, at(1));
              if (out) consumed.push(...local);
              return;
            } catch (err) {
              if ((err as { code?: string }).code !== 'CONFLICT') throw err;
            }
          }
        };
        await Promise.all(keys.map(async (k) => {
          await store.append(id, pending(k));
          await foldOnce();
        }));
        while (await store.hasPending(id)) await foldOnce();
        expect(consumed.sort()).toEqual(['created', ...keys].sort());
      }, 120_000);
    });

    describe('outbox', () => {
      it('lists only entries committed before the cut-off, oldest first, up to the limit', async () => {
        const id = unique('exec');
        const e0 = execution(id);
        await store.create(e0, created());
        const first = await store.transact(id, (e) => ({ execution: e, effects: [ended(e0)] }), at(10));
        await store.append(id, pending('k2'));
        const second = await store.transact(id, (e) => ({ execution: e, effects: [ended(e0)] }), at(20));
        expect(await store.unpublished(at(5), 10)).toEqual([]);
        expect((await store.unpublished(at(15), 10)).map((o) => o.id)).toEqual([first!.outbox[0].id]);
        expect((await store.unpublished(at(30), 10)).map((o) => o.id)).toEqual([first!.outbox[0].id, second!.outbox[0].id]);
        expect((await store.unpublished(at(30), 1)).map((o) => o.id)).toEqual([first!.outbox[0].id]);
      });

      it('forgets acknowledged entries', async () => {
        const id = unique('exec');
        const e0 = execution(id);
        await store.create(e0, created());
        const out = await store.transact(id, (e) => ({ execution: e, effects: [ended(e0), ended(e0)] }), at(1));
        await store.ackOutbox([out!.outbox[0]]);
        expect((await store.unpublished(at(2), 10)).map((o) => o.id)).toEqual([out!.outbox[1].id]);
        await store.ackOutbox(out!.outbox);
        expect(await store.unpublished(at(2), 10)).toEqual([]);
      });
    });

    describe('list', () => {
      async function seed(): Promise<{ ns: string; ids: string[] }> {
        const ns = `io.aloft.${unique('ns').replace('-', '')}`;
        const ids: string[] = [];
        const specs: Array<[string, State, number]> = [
          ['a', 'SUCCESS', 1], ['a', 'FAILED', 2], ['b', 'SUCCESS', 3], ['a', 'RUNNING', 4], ['b', 'SUCCESS', 5],
        ];
        for (const [flowId, current, s] of specs) {
          const id = unique(`exec${s}`);
          ids.push(id);
          await store.create(execution(id, { namespace: ns, flowId, current, start: at(s) }), created());
        }
        return { ns, ids };
      }

      it('filters by namespace and flow, newest first', async () => {
        const { ns, ids } = await seed();
        const page = await store.list({ namespace: ns, flowId: 'a' });
        expect(page.executions.map((e) => e.id)).toEqual([ids[3], ids[1], ids[0]]);
        expect(page.nextPageToken).toBeUndefined();
      });

      it('filters by state and by start date', async () => {
        const { ns, ids } = await seed();
        const ok = await store.list({ namespace: ns, states: ['SUCCESS'] });
        expect(ok.executions.map((e) => e.id)).toEqual([ids[4], ids[2], ids[0]]);
        const window = await store.list({ namespace: ns, from: at(2).toISOString(), to: at(4).toISOString() });
        expect(window.executions.map((e) => e.id)).toEqual([ids[3], ids[2], ids[1]]);
      });

      it('pages through every match exactly once', async () => {
        const { ns, ids } = await seed();
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({ namespace: ns, pageSize: 2, pageToken: token });
          expect(page.executions.length).toBeLessThanOrEqual(2);
          seen.push(...page.executions.map((e) => e.id));
          token = page.nextPageToken;
          pages++;
        } while (token && pages < 10);
        expect(seen).toEqual([...ids].reverse());
      });

      it('skips to the page after the first n matches, from a token too, and answers nothing past the last', async () => {
        const { ns, ids } = await seed();
        const newest = [...ids].reverse();
        const after2 = await store.tokenAfter({ namespace: ns }, 2);
        expect((await store.list({ namespace: ns, pageSize: 2, pageToken: after2 })).executions.map((e) => e.id)).toEqual(newest.slice(2, 4));
        const first = await store.list({ namespace: ns, pageSize: 1 });
        const after1Then3 = await store.tokenAfter({ namespace: ns, pageToken: first.nextPageToken }, 3);
        expect((await store.list({ namespace: ns, pageToken: after1Then3 })).executions.map((e) => e.id)).toEqual(newest.slice(4));
        const filtered = await store.tokenAfter({ namespace: ns, flowId: 'a' }, 1);
        expect((await store.list({ namespace: ns, flowId: 'a', pageToken: filtered })).executions.map((e) => e.id)).toEqual([ids[1], ids[0]]);
        expect(await store.tokenAfter({ namespace: ns }, 5)).toBeUndefined();
        expect(await store.tokenAfter({ namespace: ns }, 50)).toBeUndefined();
      });

      it('returns an empty page when nothing matches', async () => {
        const page = await store.list({ namespace: `io.aloft.${unique('none').replace('-', '')}` });
        expect(page.executions).toEqual([]);
        expect(page.nextPageToken).toBeUndefined();
      });

      it('counts every match whatever the page asked for', async () => {
        const { ns } = await seed();
        expect(await store.count({ namespace: ns })).toBe(5);
        expect(await store.count({ namespace: ns, pageSize: 2 })).toBe(5);
        expect(await store.count({ namespace: ns, flowId: 'a' })).toBe(3);
        expect(await store.count({ namespace: ns, states: ['SUCCESS'], from: at(2).toISOString() })).toBe(2);
        expect(await store.count({ namespace: `io.aloft.${unique('none').replace('-', '')}` })).toBe(0);
      });
    });

    describe('delete', () => {
      /** An execution folded to its end, with one task run. */
      async function ended(id: string): Promise<void> {
        await store.create(execution(id), created());
        await store.transact(id, (e) => ({
          execution: {
            ...e, state: newStateRecord('SUCCESS', at(2)),
            taskRunList: [{ id: `${id}-r1`, executionId: id, namespace: e.namespace, flowId: e.flowId, taskId: 't1', attempts: [], state: newStateRecord('SUCCESS', at(2)) }],
          },
          effects: [],
        }), at(2));
      }

      it('deletes an ended execution with its task runs, and says so', async () => {
        const id = unique('exec');
        await ended(id);
        expect((await store.get(id))?.taskRunList).toHaveLength(1);
        expect(await store.delete(id)).toBe(true);
        expect(await store.get(id)).toBeNull();
        expect(await store.getHeader(id)).toBeNull();
        expect((await store.list({ namespace: 'io.aloft.tests', pageSize: 1000 })).executions.map((e) => e.id)).not.toContain(id);
        expect(await store.delete(id)).toBe(false);
      });

      it('answers false for an execution that does not exist', async () => {
        expect(await store.delete(unique('missing'))).toBe(false);
      });

      it('refuses with CONFLICT an execution that has not ended, and keeps it', async () => {
        const id = unique('exec');
        await store.create(execution(id), created());
        await store.transact(id, (e) => ({ execution: { ...e, state: newStateRecord('RUNNING', at(1)) }, effects: [] }), at(1));
        expect(await codeOf(store.delete(id))).toBe('CONFLICT');
        expect(await store.get(id)).toMatchObject({ id, state: { current: 'RUNNING' } });
      });

      it('refuses with CONFLICT an ended execution with an event still pending', async () => {
        const id = unique('exec');
        await ended(id);
        await store.append(id, pending('late', { type: 'Restart' }));
        expect(await codeOf(store.delete(id))).toBe('CONFLICT');
        expect(await store.get(id)).not.toBeNull();
      });
    });
    describe('flow concurrency slots', () => {
      const flowOf = (): { namespace: string; flowId: string } => ({ namespace: 'io.aloft.tests', flowId: unique('limited') });
      const claim = (f: { namespace: string; flowId: string }, n: number, over: { limit?: number; queue?: boolean } = {}) =>
        store.claimSlot({ ...f, executionId: `e${n}`, claimId: `c${n}`, limit: over.limit ?? 2, queue: over.queue ?? true });
      const release = (f: { namespace: string; flowId: string }, n: number) => store.releaseSlot({ ...f, claimId: `c${n}` });
      const ids = (holders: { executionId: string }[]): string[] => holders.map((h) => h.executionId);

      it('grants up to the limit, then queues in arrival order', async () => {
        const f = flowOf();
        expect([await claim(f, 1), await claim(f, 2), await claim(f, 3), await claim(f, 4)]).toEqual(['RUNNING', 'RUNNING', 'QUEUED', 'QUEUED']);
        expect(await store.flowSlots(f.namespace, f.flowId)).toEqual({
          running: [{ executionId: 'e1', claimId: 'c1' }, { executionId: 'e2', claimId: 'c2' }],
          queued: [{ executionId: 'e3', claimId: 'c3' }, { executionId: 'e4', claimId: 'c4' }],
        });
      });

      it('answers FULL without queueing when the claim does not queue', async () => {
        const f = flowOf();
        await claim(f, 1, { limit: 1 });
        expect(await claim(f, 2, { limit: 1, queue: false })).toBe('FULL');
        expect(ids((await store.flowSlots(f.namespace, f.flowId)).queued)).toEqual([]);
      });

      it('answers a claim made again as the first time', async () => {
        const f = flowOf();
        await claim(f, 1, { limit: 1 });
        await claim(f, 2, { limit: 1 });
        expect([await claim(f, 1, { limit: 1 }), await claim(f, 2, { limit: 1 })]).toEqual(['RUNNING', 'QUEUED']);
        expect(await store.flowSlots(f.namespace, f.flowId)).toMatchObject({ running: [{ executionId: 'e1' }], queued: [{ executionId: 'e2' }] });
      });

      it('promotes the oldest waiting claim when a slot is released, and only into free slots', async () => {
        const f = flowOf();
        for (const n of [1, 2, 3, 4]) await claim(f, n);
        expect(await release(f, 2)).toEqual([{ executionId: 'e3', claimId: 'c3' }]);
        expect(await store.flowSlots(f.namespace, f.flowId)).toMatchObject({ running: [{ executionId: 'e1' }, { executionId: 'e3' }], queued: [{ executionId: 'e4' }] });
        // Withdrawing a waiting claim frees no slot.
        expect(await release(f, 4)).toEqual([]);
        expect(await store.flowSlots(f.namespace, f.flowId)).toMatchObject({ running: [{ executionId: 'e1' }, { executionId: 'e3' }], queued: [] });
      });

      it('returns what a release promoted when the same release is carried out again', async () => {
        const f = flowOf();
        for (const n of [1, 2, 3]) await claim(f, n, { limit: 1 });
        expect(ids(await release(f, 1))).toEqual(['e2']);
        expect(ids(await release(f, 1))).toEqual(['e2']);
        expect(await store.flowSlots(f.namespace, f.flowId)).toMatchObject({ running: [{ executionId: 'e2' }], queued: [{ executionId: 'e3' }] });
      });

      it('gives no slot to a claim released before it was made (a kill that overtook it)', async () => {
        const f = flowOf();
        expect(await release(f, 1)).toEqual([]);
        expect(await claim(f, 1)).toBe('FULL');
        expect(await store.flowSlots(f.namespace, f.flowId)).toEqual({ running: [], queued: [] });
      });

      it('keeps flows apart', async () => {
        const f = flowOf();
        const g = flowOf();
        await claim(f, 1, { limit: 1 });
        expect(await claim(g, 2, { limit: 1 })).toBe('RUNNING');
      });

      it('never grants more than the limit to claims made at the same time', async () => {
        const f = flowOf();
        const outcomes = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) => claim(f, n, { limit: 3 })));
        expect(outcomes.filter((o) => o === 'RUNNING')).toHaveLength(3);
        expect(outcomes.filter((o) => o === 'QUEUED')).toHaveLength(5);
        const slots = await store.flowSlots(f.namespace, f.flowId);
        expect(slots.running).toHaveLength(3);
        expect(new Set([...ids(slots.running), ...ids(slots.queued)]).size).toBe(8);
        // Released together, the three slots go to three distinct waiting claims.
        const promoted = (await Promise.all(slots.running.map((h) => store.releaseSlot({ ...f, claimId: h.claimId })))).flat();
        expect(new Set(ids(promoted)).size).toBe(3);
        expect((await store.flowSlots(f.namespace, f.flowId)).running).toHaveLength(3);
        // Claims on one document queue on its lock in Firestore (and its emulator): a safety net, not a speed check.
      }, 60_000);
    });
  });
}
