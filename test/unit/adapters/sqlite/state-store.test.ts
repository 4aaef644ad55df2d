import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Execution, TaskRun } from '../../../../lib/model/execution';
import { newStateRecord, withState } from '../../../../lib/model/states';
import type { PendingEvent } from '../../../../lib/ports/state-store';
import { tempData, type TempData } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');
const exec = (id: string): Execution => ({
  id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', T0), inputs: { id }, taskRunList: [], version: 0,
});
const event = (key: string, type: 'Kill' | 'Restart' = 'Kill'): PendingEvent => ({ key, event: { type }, at: T0.toISOString() });
const run = (id: string, n: number, outputs: Record<string, unknown> = {}): TaskRun => ({
  id: `${id}-r${n}`, executionId: id, namespace: 'n', flowId: 'f', taskId: `t${n}`, attempts: [], state: newStateRecord('RUNNING', T0), outputs,
});
const end = (e: Execution): Execution => ({ ...e, state: withState(e.state, 'SUCCESS', T0) });
const keep = (e: Execution) => ({ execution: e, effects: [] });

describe('SqliteStateStore', () => {
  let t: TempData;
  beforeEach(() => { t = tempData(); });
  afterEach(async () => { await t.cleanup(); });

  it('shares the stored execution instead of copying it', async () => {
    const { store } = t.data;
    await store.create(exec('a'), event('c'));
    const out = await store.transact('a', keep, T0);
    expect(await store.get('a')).toBe(out!.execution);
  });

  it('rejects with CONFLICT when the fold wrote to the same execution itself', async () => {
    const { store } = t.data;
    await store.create(exec('a'), event('c'));
    let inner: Promise<unknown> | undefined;
    const outer = store.transact('a', (e) => {
      inner ??= store.transact('a', keep, T0);
      return keep(e);
    }, T0);
    // Both settle after the commit, so they are awaited together.
    const [innerOut, outerOut] = await Promise.allSettled([inner!, outer]);
    expect(innerOut).toMatchObject({ status: 'fulfilled', value: { execution: { version: 1 } } });
    expect(outerOut).toMatchObject({ status: 'rejected', reason: { code: 'CONFLICT' } });
  });

  it('rejects a page token it did not issue', async () => {
    await expect(t.data.store.list({ pageToken: 'garbage' })).rejects.toMatchObject({ code: 'INPUT_INVALID', message: 'invalid page token' });
  });

  it('refuses a consumed key forever, across an end, a reopen and the cache of ended executions', async () => {
    t.reopen({ endedCacheSize: 0 });
    let store = t.data.store;
    await store.create(exec('a'), event('created'));
    await store.append('a', event('k1'));
    await store.transact('a', (e) => keep(end(e)), T0);
    store = t.reopen({ endedCacheSize: 0 }).store;
    for (const key of ['created', 'k1']) expect(await store.append('a', event(key))).toBe(false);
    expect(await store.hasPending('a')).toBe(false);
    expect(await store.append('a', event('restart', 'Restart'))).toBe(true);
    expect(await store.append('a', event('restart', 'Restart'))).toBe(false);
    store = t.reopen({ endedCacheSize: 0 }).store;
    expect(await store.append('a', event('restart', 'Restart'))).toBe(false);
    expect(await store.hasPending('a')).toBe(true);
  });

  it('writes only the task runs whose object changed', async () => {
    const { store } = t.data;
    await store.create(exec('a'), event('c'));
    await store.transact('a', (e) => keep({ ...e, taskRunList: [run('a', 0), run('a', 1), run('a', 2)] }), T0);
    const before = store.writes.taskRuns;
    await store.append('a', event('k'));
    await store.transact('a', (e) => keep({ ...e, taskRunList: [e.taskRunList[0], run('a', 1, { changed: true }), e.taskRunList[2]] }), T0);
    expect(store.writes.taskRuns - before).toBe(1);
    expect((await t.reopen().store.get('a'))?.taskRunList.map((r) => r.outputs)).toEqual([{}, { changed: true }, {}]);
  });

  it('settles an execution without writing its row again when the commit that ended it wrote it, and keeps the row current otherwise', async () => {
    let store = t.reopen({ settleBatch: 1 }).store;
    await store.create(exec('a'), event('c'));
    await store.transact('a', (e) => keep({ ...e, state: withState(e.state, 'RUNNING', T0), taskRunList: [run('a', 0)] }), T0);
    const before = store.writes.headers;
    await store.append('a', event('k'));
    // Ends in this commit: the row is updated once, for the state; settling leaves it.
    await store.transact('a', (e) => keep(end(e)), T0);
    expect(store.writes.headers - before).toBe(1);
    // A version bump without a state change leaves the row behind; settling brings it up to date.
    await store.append('a', event('k2'));
    const bumped = (await store.transact('a', keep, T0))!.execution;
    expect(store.writes.headers - before).toBe(2);
    store = t.reopen({ endedCacheSize: 0 }).store;
    expect(await store.getHeader('a')).toMatchObject({ version: bumped.version, state: { current: 'SUCCESS' } });
    expect(await store.get('a')).toEqual(bumped);
  });

  it('reads back a task run list that shrank (a replay keeps a subset)', async () => {
    let store = t.data.store;
    await store.create(exec('a'), event('c'));
    await store.transact('a', (e) => keep({ ...e, taskRunList: [run('a', 0), run('a', 1), run('a', 2)] }), T0);
    await store.append('a', event('k'));
    await store.transact('a', (e) => keep({ ...e, taskRunList: [e.taskRunList[0]] }), T0);
    store = t.reopen().store;
    expect((await store.get('a'))?.taskRunList.map((r) => r.id)).toEqual(['a-r0']);
    // The same once it settled into the tables.
    await store.append('a', event('k2'));
    await store.transact('a', (e) => keep(end({ ...e, taskRunList: [e.taskRunList[0], run('a', 5)] })), T0);
    await store.append('a', event('k3'));
    await store.transact('a', (e) => keep({ ...e, taskRunList: [e.taskRunList[1]] }), T0);
    expect((await t.reopen({ endedCacheSize: 0 }).store.get('a'))?.taskRunList.map((r) => r.id)).toEqual(['a-r5']);
  });

  it('reads back live and ended executions through the journal, the settle batches and the checkpoints of long-lived ones', async () => {
    t.reopen({ journalSpan: 50, endedCacheSize: 10 });
    let store = t.data.store;
    const ids = Array.from({ length: 700 }, (_, i) => `e${String(i).padStart(3, '0')}`);
    await Promise.all(ids.map((id) => store.create(exec(id), event('created'))));
    const expected = new Map<string, Execution>();
    for (let n = 0; n < 4; n++) {
      for (const [i, id] of ids.entries()) {
        if (n > 0) store.appendNow(id, event(`k${n}`));
        const out = store.transactNow(id, (e) => {
          const runs = [...e.taskRunList, run(id, n, { n })];
          // Two in three end on the last round; the others stay live.
          return keep(n === 3 && i % 3 !== 0 ? end({ ...e, taskRunList: runs }) : { ...e, taskRunList: runs });
        }, T0);
        expected.set(id, out!.execution);
      }
      await t.data.durable();
    }
    for (let i = 0; i < ids.length; i += 3) store.appendNow(ids[i], event('pending'));
    await t.data.durable();
    store = t.reopen({ journalSpan: 50, endedCacheSize: 10 }).store;
    for (const [i, id] of ids.entries()) {
      expect(await store.get(id)).toEqual(expected.get(id));
      expect(await store.hasPending(id)).toBe(i % 3 === 0);
    }
    const page = await store.list({ namespace: 'n', states: ['RUNNING', 'CREATED'], pageSize: 1000 });
    expect(page.executions).toHaveLength(ids.filter((_, i) => i % 3 === 0).length);
  });

  it('writes settled executions to the tables on close and empties the journal, so the next open replays nothing', async () => {
    const { store } = t.data;
    for (const id of ['a', 'b']) {
      await store.create(exec(id), event('c'));
      await store.transact(id, (e) => keep(end({ ...e, taskRunList: [run(id, 0)] })), T0);
    }
    const dir = t.dir;
    t.data.close();
    const raw = new Database(join(dir, 'aloft.db'));
    expect(raw.prepare('SELECT COUNT(*) FROM journal').pluck().get()).toBe(0);
    expect(raw.prepare('SELECT id, state FROM executions ORDER BY id').all()).toEqual([{ id: 'a', state: 'SUCCESS' }, { id: 'b', state: 'SUCCESS' }]);
    expect(raw.prepare('SELECT SUM(json_array_length(runs)) FROM executions').pluck().get()).toBe(2);
    raw.close();
    expect((await t.reopen().store.get('b'))?.taskRunList.map((r) => r.id)).toEqual(['b-r0']);
  });

  it('deletes an ended execution that is still in the journal, and it stays deleted after a reopen', async () => {
    const { store } = t.data;
    for (const id of ['a', 'b']) {
      await store.create(exec(id), event('c'));
      await store.transact(id, (e) => keep({ ...e, taskRunList: [run(id, 0)] }), T0);
    }
    await store.append('a', event('k', 'Restart'));
    await store.transact('a', (e) => keep(end(e)), T0);
    expect(await store.delete('a')).toBe(true);
    expect(await store.get('a')).toBeNull();
    const dir = t.dir;
    t.data.close();
    const raw = new Database(join(dir, 'aloft.db'));
    for (const table of ['executions WHERE id', 'inbox WHERE execution_id', 'event_keys WHERE execution_id']) {
      expect([table, raw.prepare(`SELECT COUNT(*) FROM ${table} = 'a'`).pluck().get()]).toEqual([table, 0]);
    }
    raw.close();
    const again = t.reopen().store;
    expect(await again.get('a')).toBeNull();
    expect((await again.get('b'))?.taskRunList.map((r) => r.id)).toEqual(['b-r0']);
  });

  it('lists executions with events pending since before the cut-off as stranded', async () => {
    const { store, stranded } = t.data;
    await store.create(exec('old'), { ...event('created'), at: '2024-03-14T10:00:00.000Z' });
    await store.create(exec('new'), { ...event('created'), at: '2024-03-14T12:00:00.000Z' });
    await store.create(exec('done'), { ...event('created'), at: '2024-03-14T10:00:00.000Z' });
    await store.transact('done', (e) => keep(end(e)), T0);
    const cutoff = new Date('2024-03-14T11:00:00.000Z');
    expect(await stranded.find(cutoff, cutoff, 10)).toEqual(['old']);
    expect(await t.reopen().stranded.find(cutoff, cutoff, 10)).toEqual(['old']);
  });

  it('puts unacknowledged effects back in the outbox after a reopen, and never an acknowledged one', async () => {
    const { store } = t.data;
    await store.create(exec('a'), event('c'));
    const effect = { type: 'ExecutionEnded' as const, executionId: 'a', namespace: 'n', flowId: 'f', flowRevision: 1, state: 'SUCCESS' as const };
    const out = store.transactNow('a', (e) => ({ execution: e, effects: [effect, effect] }), T0);
    store.ackOutboxNow([out!.outbox[0]]);
    await t.data.durable();
    const reopened = t.reopen().store;
    expect((await reopened.unpublished(new Date(T0.getTime() + 1), 10)).map((o) => o.id)).toEqual([out!.outbox[1].id]);
  });

  it('deletes an effect carried out again after a reopen once it is acknowledged, and only that one', async () => {
    const { store } = t.data;
    await store.create(exec('a'), event('c'));
    const effect = { type: 'ExecutionEnded' as const, executionId: 'a', namespace: 'n', flowId: 'f', flowRevision: 1, state: 'SUCCESS' as const };
    store.transactNow('a', (e) => ({ execution: e, effects: [effect, effect, effect] }), T0);
    await t.data.durable();
    const reopened = t.reopen();
    const [first, ...rest] = await reopened.store.unpublished(new Date(T0.getTime() + 1), 10);
    reopened.store.ackOutboxNow([first]);
    // Acknowledged twice: the second is a no-op, not an error.
    reopened.store.ackOutboxNow([first]);
    await reopened.durable();
    const again = t.reopen().store;
    expect((await again.unpublished(new Date(T0.getTime() + 1), 10)).map((o) => o.id)).toEqual(rest.map((o) => o.id));
  });
  describe('an execution whose task runs do not fit in its row', () => {
    const big = (id: string, n: number): TaskRun => ({ ...run(id, n, { text: 'x'.repeat(1500) }), state: withState(newStateRecord('RUNNING', T0), 'SUCCESS', T0) });
    const running = (e: Execution, runs: TaskRun[]): Execution => ({ ...e, state: withState(e.state, 'RUNNING', T0), taskRunList: runs });

    it('is written FAILED with PAYLOAD_TOO_LARGE naming its flow and id, its task runs without outputs; the directory stays writable and a reopen finds it so', async () => {
      let store = t.reopen({ settleBatch: 1, maxRunsChars: 2000 }).store;
      await store.create(exec('a'), event('c'));
      await store.transact('a', (e) => keep(running(e, [big('a', 0), big('a', 1)])), T0);
      await store.append('a', event('k'));
      await store.transact('a', (e) => keep(end(e)), T0);
      await t.data.durable();
      const failed = {
        state: { current: 'FAILED' },
        error: {
          code: 'PAYLOAD_TOO_LARGE', flow: 'n.f',
          message: 'execution a of flow n.f ended SUCCESS, but its 2 task runs are more than the 2000 characters of JSON the SQLite store holds for one execution: it is stored FAILED, its task runs without their outputs',
        },
        taskRunList: [{ id: 'a-r0', state: { current: 'SUCCESS' } }, { id: 'a-r1' }],
      };
      expect(await store.get('a')).toMatchObject(failed);
      expect((await store.get('a'))!.state.histories.map((h) => h.state)).toEqual(['CREATED', 'RUNNING', 'SUCCESS', 'FAILED']);
      expect((await store.get('a'))!.taskRunList.some((r) => 'outputs' in r)).toBe(false);
      // Later writes commit, and the next opens find it as written.
      await store.create(exec('b'), event('c'));
      await store.transact('b', (e) => keep(end(e)), T0);
      for (let i = 0; i < 2; i++) {
        store = t.reopen({ settleBatch: 1, maxRunsChars: 2000 }).store;
        expect(await store.get('a')).toMatchObject(failed);
        expect((await store.get('b'))?.state.current).toBe('SUCCESS');
      }
    });

    it('is written FAILED when V8 cannot build the string at all (RangeError), the commit and the store going on', async () => {
      const store = t.reopen({ settleBatch: 1 }).store;
      await store.create(exec('a'), event('c'));
      let calls = 0;
      // Written once to the journal; the row's whole list then fails as V8 fails past its longest string.
      const huge = { toJSON: () => { if (++calls > 1) throw new RangeError('Invalid string length'); return 'x'; } };
      await store.transact('a', (e) => keep(running(e, [run('a', 0, { huge })])), T0);
      await store.append('a', event('k'));
      await store.transact('a', (e) => keep(end(e)), T0);
      await t.data.durable();
      expect(await store.get('a')).toMatchObject({ state: { current: 'FAILED' }, error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining(`more than the ${2 ** 29 - 24} characters`) } });
      expect(await t.reopen().store.get('a')).toMatchObject({ state: { current: 'FAILED' }, taskRunList: [{ id: 'a-r0' }] });
    });

    it('stays live in the journal rather than being checkpointed, whole after a reopen, until it ends', async () => {
      const opts = { journalSpan: 1, maxRunsChars: 2000 };
      let store = t.reopen(opts).store;
      await store.create(exec('a'), event('c'));
      await store.transact('a', (e) => keep(running(e, [big('a', 0), big('a', 1)])), T0);
      for (const key of ['k1', 'k2']) {
        await store.append('a', event(key));
        await store.transact('a', keep, T0);
      }
      expect(await store.get('a')).toMatchObject({ state: { current: 'RUNNING' }, taskRunList: [{ outputs: { text: expect.any(String) } }, {}] });
      store = t.reopen(opts).store;
      expect(await store.get('a')).toMatchObject({ state: { current: 'RUNNING' }, version: 3, taskRunList: [{ outputs: { text: expect.any(String) } }, {}] });
      await store.append('a', event('k3'));
      await store.transact('a', (e) => keep(end(e)), T0);
      expect(await t.reopen(opts).store.get('a')).toMatchObject({ state: { current: 'FAILED' }, error: { code: 'PAYLOAD_TOO_LARGE' } });
    });
  });
});
