// io.kestra.plugin.jdbc.postgresql.Query against a real PostgreSQL (scripts/services/postgres.sh).
import { fakeTaskContext } from '../../../lib/worker/testing';
import { connectionsClosed, postgres, type TestDatabase } from './databases';
import { readRows, runTask } from './tasks';

jest.setTimeout(60_000);

let db: TestDatabase;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;

beforeEach(async () => {
  db = await postgres('query');
  world = await fakeTaskContext({ taskId: 'query' });
  await db.sql(`CREATE TABLE types (
    id INT PRIMARY KEY, name VARCHAR(40), price NUMERIC(30,6), big BIGINT, bin BYTEA, ts TIMESTAMP(6), tstz TIMESTAMPTZ, d DATE,
    t TIME, flag BOOLEAN, score DOUBLE PRECISION, doc JSONB, tags TEXT[], uid UUID, note TEXT)`);
  await db.sql(`INSERT INTO types VALUES
    (1, 'Zoë "quoted"', 123456789012345678901234.123456, 9007199254740993, '\\x0102ff', '2024-01-02 03:04:05.123456',
     '2024-07-02 03:04:05.5+00', '2024-01-02', '10:11:12', true, 1.5, '{"a":[1,2]}', '{x,y}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL),
    (2, 'b', 1, -2, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, 'text')`);
});

afterEach(async () => {
  await world.cleanup();
  await db.drop();
});

const props = (extra: Record<string, unknown>) => ({ url: db.url, username: db.username, password: db.password, ...extra });

describe('postgresql.Query on PostgreSQL', () => {
  it('fetchOne sets outputs.row with decimals and bigints as text, binary as base64, dates as ISO and NULL as null', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELECT * FROM types ORDER BY id', fetchOne: true }));
    expect(out).toEqual({
      size: 1,
      row: {
        id: 1, name: 'Zoë "quoted"', price: '123456789012345678901234.123456', big: '9007199254740993', bin: 'AQL/',
        ts: '2024-01-02T03:04:05.123456Z', tstz: '2024-07-02T03:04:05.500Z', d: '2024-01-02', t: '10:11:12', flag: true, score: 1.5,
        doc: { a: [1, 2] }, tags: ['x', 'y'], uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', note: null,
      },
    });
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('applies timeZoneId to TIMESTAMP (a wall time in that zone) and TIMESTAMPTZ (an instant) columns', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELECT ts, tstz FROM types WHERE id = 1', fetchOne: true, timeZoneId: 'America/New_York' }));
    expect(out.row).toEqual({ ts: '2024-01-02T03:04:05.123456-05:00', tstz: '2024-07-01T23:04:05.500-04:00' });
  });

  it('fetch sets outputs.rows and outputs.size', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELECT id, note FROM types ORDER BY id', fetch: true }));
    expect(out).toEqual({ rows: [{ id: 1, note: null }, { id: 2, note: 'text' }], size: 2 });
  });

  it('store writes every row, read fetchSize rows at a time, to a JSON Lines file of this task run', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELECT g AS n FROM generate_series(1, 1000) g', store: true, fetchSize: 7 }));
    expect(out.size).toBe(1000);
    expect(out.uri).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${world.execution.id}/tasks/query/[^/]+/result\\.jsonl$`));
    const rows = await readRows(world.ctx, out.uri);
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('reads through a cursor, so fetchOne on a hundred billion rows returns the first one', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELECT generate_series(1, 100000000000) AS g', fetchOne: true }));
    expect(out.row).toEqual({ g: '1' });
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('runs a script of several statements when no fetch property is set', async () => {
    const out = await runTask(world.ctx, 'postgresql.Query', props({ sql: "CREATE TABLE more (x INT); INSERT INTO more VALUES (1), (2); UPDATE types SET note = 'changed' WHERE id = 2;" }));
    expect(out).toEqual({});
    expect(await db.sql('SELECT count(*)::int AS n FROM more')).toEqual([{ n: 2 }]);
    expect(await db.sql('SELECT note FROM types WHERE id = 2')).toEqual([{ note: 'changed' }]);
  });

  it('fails on a SQL syntax error with its SQLSTATE, naming the sql property, and closes its connection', async () => {
    await expect(runTask(world.ctx, 'postgresql.Query', props({ sql: 'SELEC * FROM types', store: true }))).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'sql' }, message: 'PostgreSQL query failed: syntax error at or near "SELEC" (42601)',
    });
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on wrong credentials without showing the password', async () => {
    const err = await runTask(world.ctx, 'postgresql.Query', props({ password: 'not-the-password', sql: 'SELECT 1', fetchOne: true })).catch((e) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'url' } });
    expect(err.message).toMatch(/^cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ as postgres: password authentication failed for user "postgres" \(28P01\)$/);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on a URL where no server listens, or naming a database that does not exist', async () => {
    await expect(runTask(world.ctx, 'postgresql.Query', props({ url: 'jdbc:postgresql://127.0.0.1:1/x', sql: 'SELECT 1' })))
      .rejects.toMatchObject({ code: 'TASK_FAILED', message: expect.stringMatching(/^cannot connect to PostgreSQL at 127\.0\.0\.1:1 as postgres: .*ECONNREFUSED/) });
    await expect(runTask(world.ctx, 'postgresql.Query', props({ url: `${db.url}_missing`, sql: 'SELECT 1' })))
      .rejects.toThrow(/database ".*_missing" does not exist \(3D000\)/);
  });

  it('stops the running statement on the server and closes the connection when killed', async () => {
    const controller = new AbortController();
    const killed = await fakeTaskContext({ taskId: 'query', signal: controller.signal });
    try {
      const running = runTask(killed.ctx, 'postgresql.Query', props({ sql: 'SELECT pg_sleep(600)', fetch: true }));
      while ((await db.sql("SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(600)' AND state = 'active'")).length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      await expect(running).rejects.toMatchObject({ code: 'KILLED' });
      expect(await connectionsClosed(db)).toBe(0);
    } finally {
      await killed.cleanup();
    }
  });
});
