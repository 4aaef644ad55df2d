import Database from 'better-sqlite3';
import { listQuery } from '../../../../lib/adapters/sqlite/execution-list';
import { MIGRATIONS } from '../../../../lib/adapters/sqlite/migrations';
import type { Execution } from '../../../../lib/model/execution';
import { newStateRecord } from '../../../../lib/model/states';
import type { ExecutionFilter } from '../../../../lib/ports/state-store';
import { tempData, type TempData } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');

describe('listing executions on SQLite', () => {
  let t: TempData;
  beforeEach(() => { t = tempData(); });
  afterEach(async () => { await t.cleanup(); });

  it('pages through executions that started at the same time by id, each exactly once', async () => {
    const { store } = t.data;
    const ids = ['c', 'a', 'e', 'b', 'd'];
    for (const id of ids) {
      const e: Execution = { id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('CREATED', T0), inputs: {}, taskRunList: [], version: 0 };
      await store.create(e, { key: 'c', event: { type: 'ExecutionCreated' }, at: T0.toISOString() });
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.list({ namespace: 'n', pageSize: 2, pageToken: token });
      seen.push(...page.executions.map((e) => e.id));
      token = page.nextPageToken;
    } while (token);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it.each<[string, ExecutionFilter]>([
    ['no filter', {}],
    ['a namespace', { namespace: 'n' }],
    ['a flow', { namespace: 'n', flowId: 'f' }],
    ['a start window', { from: T0.toISOString(), to: T0.toISOString() }],
    ['one state', { states: ['RUNNING'] }],
  ])('reads a page of %s through an index, in index order, however deep the page', (_what, filter) => {
    const db = new Database(':memory:');
    for (const m of MIGRATIONS) m.up(db);
    const token = Buffer.from(JSON.stringify(['k', T0.toISOString(), 'x'])).toString('base64url');
    for (const pageToken of [undefined, token]) {
      const { sql, params } = listQuery({ ...filter, pageToken });
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      expect(plan).toMatch(/USING INDEX executions_by_/);
      expect(plan).not.toMatch(/TEMP B-TREE|SCAN executions$/);
    }
    db.close();
  });
});
