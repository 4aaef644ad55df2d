// Batch against real MariaDB and PostgreSQL servers: chunks, columns, and every bad input of the issue.
import { fakeTaskContext } from '../../../lib/worker/testing';
import { connectionsClosed, mariadb, postgres, type TestDatabase } from './databases';
import { runTask } from './tasks';

jest.setTimeout(60_000);

const servers = [
  {
    label: 'MariaDB', type: 'mysql.Batch', open: () => mariadb('batch'),
    slowInsert: 'insert into users (id, name, score) select ?, ?, ? from (select sleep(600)) s',
    running: "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE '%sleep(600)%' AND INFO NOT LIKE '%PROCESSLIST%'",
  },
  {
    label: 'PostgreSQL', type: 'postgresql.Batch', open: () => postgres('batch'),
    slowInsert: 'insert into users (id, name, score) select cast(? as int), cast(? as varchar), cast(? as decimal) from (select pg_sleep(600)) s',
    running: "SELECT pid FROM pg_stat_activity WHERE query LIKE '%pg_sleep(600)%' AND state = 'active' AND pid <> pg_backend_pid()",
  },
];

describe.each(servers)('$type on $label', ({ type, open, slowInsert, running }) => {
  let db: TestDatabase;
  let world: Awaited<ReturnType<typeof fakeTaskContext>>;

  beforeEach(async () => {
    db = await open();
    world = await fakeTaskContext({ taskId: 'load' });
    await db.sql('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, score DECIMAL(10,2))');
  });

  afterEach(async () => {
    await world.cleanup();
    await db.drop();
  });

  const props = (extra: Record<string, unknown>) => ({ url: db.url, username: db.username, password: db.password, ...extra });
  const file = async (rows: unknown[]): Promise<string> => (await world.ctx.storage.put('rows.jsonl', rows.map((r) => JSON.stringify(r)).join('\n') + '\n')).uri;
  const users = async () => (await db.sql<{ id: number; name: string; score: unknown }>('SELECT id, name, score FROM users ORDER BY id'))
    .map((r) => ({ id: Number(r.id), name: r.name, score: r.score === null ? null : Number(r.score) }));
  const people = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `user ${i + 1}`, score: `${i + 1}.50` }));

  it('inserts every row, one transaction per chunk, and outputs rowCount and updatedCount', async () => {
    const out = await runTask(world.ctx, type, props({ from: await file(people(5)), sql: 'insert into users values (?, ?, ?)', chunk: 2 }));
    expect(out).toEqual({ rowCount: 5, updatedCount: 5 });
    expect(await users()).toEqual(people(5).map((p) => ({ ...p, score: Number(p.score) })));
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('binds the listed columns in the order of `columns`', async () => {
    const rows = [{ extra: 'x', name: 'ann', id: 7 }, { extra: 'y', name: 'bob', id: 8 }];
    const out = await runTask(world.ctx, type, props({ from: await file(rows), sql: 'insert into users (id, name) values (?, ?)', columns: ['id', 'name'] }));
    expect(out).toEqual({ rowCount: 2, updatedCount: 2 });
    expect(await users()).toEqual([{ id: 7, name: 'ann', score: null }, { id: 8, name: 'bob', score: null }]);
  });

  it('accepts rows written as arrays', async () => {
    await runTask(world.ctx, type, props({ from: await file([[1, 'a', null], [2, 'b', 2]]), sql: 'insert into users values (?, ?, ?)' }));
    expect(await users()).toEqual([{ id: 1, name: 'a', score: null }, { id: 2, name: 'b', score: 2 }]);
  });

  it('names the line of a failing row, keeps the chunks before it committed and rolls back its chunk', async () => {
    const rows = people(6);
    rows[3] = { id: 1, name: 'duplicate of line 1', score: '0' };
    const from = await file(rows);
    const err = await runTask(world.ctx, type, props({ from, sql: 'insert into users values (?, ?, ?)', chunk: 2 })).catch((e) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'from' } });
    expect(err.message).toMatch(new RegExp(`^line 4 of ${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .* rejected the row: .*(Duplicate entry|duplicate key)`));
    expect(err.message).toMatch(/the 1 chunk before it \(2 rows\) stay committed, this chunk was rolled back$/);
    expect((await users()).map((u) => u.id)).toEqual([1, 2]);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('finds the failing row inside a chunk sent as one multi-row statement', async () => {
    const rows: unknown[] = people(10);
    rows[6] = { id: 7, name: null, score: '1' };
    const err = await runTask(world.ctx, type, props({ from: await file(rows), sql: 'insert into users values (?, ?, ?)', chunk: 100 })).catch((e) => e);
    expect(err.message).toMatch(/^line 7 of .*: .* rejected the row: .*null.*; nothing was committed$/i);
    expect(await users()).toEqual([]);
  });

  it('fails on a column-count mismatch, naming the line, with the chunks before it committed', async () => {
    const rows: unknown[] = people(4);
    rows[2] = { id: 3, name: 'short' };
    const err = await runTask(world.ctx, type, props({ from: await file(rows), sql: 'insert into users values (?, ?, ?)', chunk: 2 })).catch((e) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'from' } });
    expect(err.message).toMatch(/^line 3 of .*: column-count mismatch: the row has 2 values but the sql has 3 \? placeholders/);
    expect((await users()).map((u) => u.id)).toEqual([1, 2]);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on a line that is not JSON, naming it', async () => {
    const { uri } = await world.ctx.storage.put('bad.jsonl', '{"id":1,"name":"a","score":1}\n{oops\n');
    await expect(runTask(world.ctx, type, props({ from: uri, sql: 'insert into users values (?, ?, ?)' })))
      .rejects.toThrow(/^line 2 of kestra:\/\/\/.*bad\.jsonl is not valid JSON/);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('refuses a `from` outside this execution before connecting', async () => {
    const other = `kestra:///io/aloft/tests/test/executions/someone-else/tasks/query/run/result.jsonl`;
    await world.blobs.put(other, '{"id":1,"name":"a","score":1}\n');
    await expect(runTask(world.ctx, type, props({ from: other, sql: 'insert into users values (?, ?, ?)' })))
      .rejects.toMatchObject({ code: 'STORAGE_FORBIDDEN' });
    expect(await users()).toEqual([]);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on a SQL syntax error before sending any row, naming the sql property', async () => {
    await expect(runTask(world.ctx, type, props({ from: await file(people(3)), sql: 'insert into users valuez (?, ?, ?)' })))
      .rejects.toMatchObject({ code: 'TASK_FAILED', location: { property: 'sql' }, message: expect.stringMatching(/rejected the sql: .*syntax/) });
    expect(await users()).toEqual([]);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on wrong credentials, naming the url property and not the password', async () => {
    const err = await runTask(world.ctx, type, props({ password: 'wrong-password', from: await file(people(1)), sql: 'insert into users values (?, ?, ?)' }))
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'url' } });
    expect(err.message).toMatch(/^cannot connect to .* at 127\.0\.0\.1:\d+ as \w+: .*(Access denied|password authentication failed)/);
    expect(err.message).not.toContain('wrong-password');
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('stops the running chunk on the server, keeps nothing of it and closes the connection when killed', async () => {
    const controller = new AbortController();
    const killed = await fakeTaskContext({ taskId: 'load', signal: controller.signal });
    try {
      const { uri } = await killed.ctx.storage.put('rows.jsonl', people(3).map((r) => JSON.stringify(r)).join('\n'));
      const task = runTask(killed.ctx, type, props({ from: uri, sql: slowInsert }));
      while ((await db.sql(running)).length === 0) await new Promise((r) => setTimeout(r, 50));
      controller.abort();
      await expect(task).rejects.toMatchObject({ code: 'KILLED' });
      expect(await connectionsClosed(db)).toBe(0);
      expect(await users()).toEqual([]);
    } finally {
      await killed.cleanup();
    }
  });

  it('fails on a wrong URL', async () => {
    await expect(runTask(world.ctx, type, props({ url: 'jdbc:sqlite:users.db', from: await file(people(1)), sql: 'insert into users values (?, ?, ?)' })))
      .rejects.toThrow(/url must be a JDBC URL starting with jdbc:/);
  });
});
