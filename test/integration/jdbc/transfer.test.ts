// The seed's shape (a Query with store: true feeding a Batch through its outputs.uri) between real
// MariaDB and PostgreSQL servers, in both directions, through a JSON Lines file in internal storage.
import { fakeTaskContext } from '../../../lib/worker/testing';
import { connectionsClosed, mariadb, postgres, type TestDatabase } from './databases';
import { runTask } from './tasks';

jest.setTimeout(60_000);

let maria: TestDatabase;
let pg: TestDatabase;
let world: Awaited<ReturnType<typeof fakeTaskContext>>;

beforeEach(async () => {
  [maria, pg] = await Promise.all([mariadb('transfer'), postgres('transfer')]);
  world = await fakeTaskContext({ taskId: 'query' });
  await maria.sql(`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(40), price DECIMAL(30,6), active TINYINT(1), avatar VARBINARY(16),
    created DATETIME(6), born DATE, score DOUBLE, note TEXT)`);
  await pg.sql(`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(40), price NUMERIC(30,6), active BOOLEAN, avatar BYTEA,
    created TIMESTAMP(6), born DATE, score DOUBLE PRECISION, note TEXT)`);
});

afterEach(async () => {
  await world.cleanup();
  await Promise.all([maria.drop(), pg.drop()]);
});

const creds = (db: TestDatabase) => ({ url: db.url, username: db.username, password: db.password });

/** The table as comparable JSON, whatever the server and driver. */
async function table(db: TestDatabase): Promise<unknown[]> {
  const rows = await db.sql<Record<string, unknown>>('SELECT * FROM users ORDER BY id');
  return rows.map((r) => ({
    id: String(r.id), name: r.name, price: r.price === null ? null : String(r.price), active: r.active === null ? null : Boolean(r.active),
    avatar: r.avatar === null ? null : Buffer.from(r.avatar as Buffer).toString('hex'),
    created: r.created === null ? null : (r.created as Date).toISOString(), born: r.born === null ? null : String(r.born instanceof Date ? isoDay(r.born) : r.born),
    score: r.score, note: r.note,
  }));
}
const isoDay = (d: Date) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const expected = [
  { id: '2', name: 'b', price: '0.000000', active: false, avatar: null, created: null, born: null, score: null, note: 'line\nbreak' },
  {
    id: '9007199254740993', name: "Zoë O'Brien \\ \"quoted\"", price: '123456789012345678901234.123456', active: true, avatar: '0102ff',
    created: '2024-01-02T03:04:05.123Z', born: '1990-05-06', score: 1.5, note: null,
  },
];

it('moves a table from MariaDB to PostgreSQL with every value intact', async () => {
  await maria.sql(`INSERT INTO users VALUES
    (9007199254740993, 'Zoë O''Brien \\\\ "quoted"', 123456789012345678901234.123456, 1, X'0102FF', '2024-01-02 03:04:05.123', '1990-05-06', 1.5, NULL),
    (2, 'b', 0, 0, NULL, NULL, NULL, NULL, 'line\\nbreak')`);
  const query = await runTask(world.ctx, 'mysql.Query', { ...creds(maria), sql: 'select * from users', store: true });
  expect(query.size).toBe(2);
  const load = await runTask(world.ctx, 'postgresql.Batch', { ...creds(pg), from: query.uri, sql: 'insert into users values (?, ?, ?, ?, ?, ?, ?, ?, ?)' });
  expect(load).toEqual({ rowCount: 2, updatedCount: 2 });
  expect(await table(pg)).toEqual(expected);
  expect(await connectionsClosed(maria)).toBe(0);
  expect(await connectionsClosed(pg)).toBe(0);
});

it('moves a table from PostgreSQL to MariaDB with every value intact', async () => {
  await pg.sql(`INSERT INTO users VALUES
    (9007199254740993, 'Zoë O''Brien \\ "quoted"', 123456789012345678901234.123456, true, '\\x0102ff', '2024-01-02 03:04:05.123', '1990-05-06', 1.5, NULL),
    (2, 'b', 0, false, NULL, NULL, NULL, NULL, E'line\\nbreak')`);
  const query = await runTask(world.ctx, 'postgresql.Query', { ...creds(pg), sql: 'select * from users', store: true });
  expect(query.size).toBe(2);
  // MariaDB binds text; FROM_BASE64 turns the stored base64 back into bytes.
  const load = await runTask(world.ctx, 'mysql.Batch', { ...creds(maria), from: query.uri, sql: 'insert into users values (?, ?, ?, ?, FROM_BASE64(?), ?, ?, ?, ?)' });
  expect(load).toEqual({ rowCount: 2, updatedCount: 2 });
  expect(await table(maria)).toEqual(expected);
  expect(await connectionsClosed(maria)).toBe(0);
  expect(await connectionsClosed(pg)).toBe(0);
});
