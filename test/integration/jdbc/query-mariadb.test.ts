// io.kestra.plugin.jdbc.mysql.Query against a real MariaDB (scripts/services/mariadb.sh).
import { fakeTaskContext } from '../../../lib/worker/testing';
import { connectionsClosed, mariadb, type TestDatabase } from './databases';
import { readRows, runTask } from './tasks';

jest.setTimeout(60_000);

let db: TestDatabase;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;

beforeEach(async () => {
  db = await mariadb('query');
  world = await fakeTaskContext({ taskId: 'query' });
  await db.sql(`CREATE TABLE types (
    id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(24,6), big BIGINT, bin VARBINARY(8), dt DATETIME(6), ts TIMESTAMP(3) NULL,
    d DATE, t TIME, flag TINYINT(1), score DOUBLE, note TEXT)`);
  await db.sql(`INSERT INTO types VALUES
    (1, 'Zoë "quoted"', 123456789012345678.123456, 9007199254740993, X'0102FF', '2024-01-02 03:04:05.123456', '2024-07-02 03:04:05.5',
     '2024-01-02', '10:11:12', 1, 1.5, NULL),
    (2, 'b', 1, -2, NULL, NULL, NULL, NULL, NULL, 0, NULL, 'text')`);
});

afterEach(async () => {
  await world.cleanup();
  await db.drop();
});

const props = (extra: Record<string, unknown>) => ({ url: db.url, username: db.username, password: db.password, ...extra });

describe('mysql.Query on MariaDB', () => {
  it('fetchOne sets outputs.row with decimals and bigints as text, binary as base64, dates as ISO and NULL as null', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT * FROM types ORDER BY id', fetchOne: true }));
    expect(out).toEqual({
      size: 1,
      row: {
        id: 1, name: 'Zoë "quoted"', price: '123456789012345678.123456', big: '9007199254740993', bin: 'AQL/',
        dt: '2024-01-02T03:04:05.123456Z', ts: '2024-07-02T03:04:05.500Z', d: '2024-01-02', t: '10:11:12', flag: 1, score: 1.5, note: null,
      },
    });
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('applies timeZoneId to DATETIME (a wall time in that zone) and TIMESTAMP (an instant) columns', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT dt, ts FROM types WHERE id = 1', fetchOne: true, timeZoneId: 'Europe/Paris' }));
    expect(out.row).toEqual({ dt: '2024-01-02T03:04:05.123456+01:00', ts: '2024-07-02T05:04:05.500+02:00' });
  });

  it('fetch sets outputs.rows and outputs.size', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT id, note FROM types ORDER BY id', fetch: true }));
    expect(out).toEqual({ rows: [{ id: 1, note: null }, { id: 2, note: 'text' }], size: 2 });
  });

  it('store writes a JSON Lines file of this task run and sets outputs.uri and outputs.size', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT id, big FROM types ORDER BY id', store: true }));
    expect(out.size).toBe(2);
    expect(out.uri).toMatch(new RegExp(`^kestra:///io/aloft/tests/test/executions/${world.execution.id}/tasks/query/[^/]+/result\\.jsonl$`));
    expect(await readRows(world.ctx, out.uri)).toEqual([{ id: 1, big: '9007199254740993' }, { id: 2, big: '-2' }]);
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('stores an empty file for an empty result', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT * FROM types WHERE id < 0', store: true }));
    expect(out.size).toBe(0);
    expect(await readRows(world.ctx, out.uri)).toEqual([]);
  });

  // Longer than connectionsClosed's own 60 s wait, so that a slow server fails on the count, not on jest's timeout.
  it('streams rows, so fetchOne on ten billion rows returns the first one', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: 'SELECT seq FROM seq_1_to_10000000000', fetchOne: true }));
    expect(out.row).toEqual({ seq: '1' });
    expect(await connectionsClosed(db)).toBe(0);
  }, 120_000);

  it('runs a statement without fetching when no fetch property is set', async () => {
    const out = await runTask(world.ctx, 'mysql.Query', props({ sql: "UPDATE types SET note = 'changed' WHERE id = 2" }));
    expect(out).toEqual({});
    expect(await db.sql('SELECT note FROM types WHERE id = 2')).toEqual([{ note: 'changed' }]);
  });

  it('loads an internal storage file with LOAD DATA LOCAL INFILE through inputFile', async () => {
    const { uri } = await world.ctx.storage.put('people.csv', '3,c\n4,d\n');
    await runTask(world.ctx, 'mysql.Query', props({
      inputFile: uri,
      sql: "LOAD DATA LOCAL INFILE '{{ inputFile }}' INTO TABLE types FIELDS TERMINATED BY ',' (id, name)",
    }));
    expect(await db.sql('SELECT id, name FROM types WHERE id > 2 ORDER BY id')).toEqual([{ id: 3, name: 'c' }, { id: 4, name: 'd' }]);
  });

  it('fails on a SQL syntax error, naming the sql property, and closes its connection', async () => {
    await expect(runTask(world.ctx, 'mysql.Query', props({ sql: 'SELEC * FROM types', fetch: true }))).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'sql' }, message: expect.stringMatching(/^MySQL query failed: You have an error in your SQL syntax.*ER_PARSE_ERROR/),
    });
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on wrong credentials without showing the password', async () => {
    const err = await runTask(world.ctx, 'mysql.Query', props({ password: 'not-the-password', sql: 'SELECT 1', fetchOne: true })).catch((e) => e);
    expect(err).toMatchObject({ code: 'TASK_FAILED', location: { property: 'url' } });
    expect(err.message).toMatch(/^cannot connect to MySQL at 127\.0\.0\.1:\d+ as root: Access denied/);
    expect(err.message).not.toContain('not-the-password');
    expect(await connectionsClosed(db)).toBe(0);
  });

  it('fails on a URL where no server listens', async () => {
    await expect(runTask(world.ctx, 'mysql.Query', props({ url: 'jdbc:mysql://127.0.0.1:1/x', sql: 'SELECT 1' }))).rejects.toMatchObject({
      code: 'TASK_FAILED', location: { property: 'url' }, message: expect.stringMatching(/^cannot connect to MySQL at 127\.0\.0\.1:1 as root: .*ECONNREFUSED/),
    });
  });

  it('fails on a URL of another database before connecting', async () => {
    await expect(runTask(world.ctx, 'mysql.Query', props({ url: db.url.replace('jdbc:mysql:', 'jdbc:postgresql:'), sql: 'SELECT 1' })))
      .rejects.toThrow(/url must be a JDBC URL starting with jdbc:mysql:\/\//);
  });

  it('stops the running statement on the server and closes the connection when killed', async () => {
    const controller = new AbortController();
    const killed = await fakeTaskContext({ taskId: 'query', signal: controller.signal });
    try {
      const running = runTask(killed.ctx, 'mysql.Query', props({ sql: 'SELECT SLEEP(600)', fetchOne: true }));
      while ((await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(600)'")).length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      controller.abort();
      await expect(running).rejects.toMatchObject({ code: 'KILLED' });
      expect(await connectionsClosed(db)).toBe(0);
      expect(await db.sql("SELECT ID FROM information_schema.PROCESSLIST WHERE INFO = 'SELECT SLEEP(600)'")).toEqual([]);
    } finally {
      await killed.cleanup();
    }
  });
});
