// The seed's JDBC flow (examples/jdbc) on the embedded runtime, between real MariaDB and PostgreSQL
// servers, with the seed's own users, passwords, statements and 23-column table.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRuntime } from '../../../lib/runtime/embedded/runtime';
import { outputOf, runFlowFile, runsOf } from '../../helpers/local-run';
import { connectionsClosed, mariadb, postgres, type TestDatabase } from './databases';

jest.setTimeout(120_000);

const example = (name: string): string => join(__dirname, '../../../examples/jdbc', name);

// 23 columns, as the seed's insert has 23 placeholders: [name, MariaDB type, PostgreSQL type].
const COLUMNS: [string, string, string][] = [
  ['id', 'BIGINT PRIMARY KEY', 'BIGINT PRIMARY KEY'], ['login', 'VARCHAR(32)', 'VARCHAR(32)'], ['first_name', 'VARCHAR(64)', 'VARCHAR(64)'],
  ['last_name', 'VARCHAR(64)', 'VARCHAR(64)'], ['email', 'VARCHAR(128)', 'VARCHAR(128)'], ['age', 'INT', 'INT'], ['height', 'DOUBLE', 'DOUBLE PRECISION'],
  ['balance', 'DECIMAL(14,2)', 'NUMERIC(14,2)'], ['active', 'TINYINT(1)', 'BOOLEAN'], ['created', 'DATETIME(3)', 'TIMESTAMP(3)'],
  ['birthday', 'DATE', 'DATE'], ['bio', 'TEXT', 'TEXT'], ['city', 'VARCHAR(64)', 'VARCHAR(64)'], ['country', 'CHAR(2)', 'CHAR(2)'],
  ['zip', 'VARCHAR(10)', 'VARCHAR(10)'], ['phone', 'VARCHAR(20)', 'VARCHAR(20)'], ['visits', 'BIGINT', 'BIGINT'], ['rating', 'FLOAT', 'REAL'],
  ['plan', 'VARCHAR(16)', 'VARCHAR(16)'], ['referrer', 'BIGINT NULL', 'BIGINT'], ['notes', 'TEXT', 'TEXT'], ['updated', 'TIMESTAMP(3) NULL', 'TIMESTAMPTZ(3)'],
  ['version', 'SMALLINT', 'SMALLINT'],
];

let maria: TestDatabase;
let pg: TestDatabase;
let dataDir: string;

beforeEach(async () => {
  [maria, pg] = await Promise.all([mariadb('seed'), postgres('seed')]);
  dataDir = mkdtempSync(join(tmpdir(), 'aloft-seed-jdbc-'));
  await maria.sql(`CREATE TABLE users (${COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  await maria.sql(`INSERT INTO users VALUES
    (1, 'ada', 'Ada', 'Lovelace', 'ada@example.com', 36, 1.65, 1234.50, 1, '2024-01-02 03:04:05.123', '1815-12-10', 'First programmer', 'London', 'GB',
     'W1', '+44 20', 9007199254740993, 4.5, 'pro', NULL, 'notes, with "quotes"', '2024-06-01 12:00:00.000', 3),
    (2, 'bob', 'Bob', NULL, NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, 'free', 1, NULL, NULL, 1)`);
  await pg.sql(`CREATE TABLE users (${COLUMNS.map(([n, , t]) => `${n} ${t}`).join(', ')})`);
  // The seed's credentials: mysql_user on the source, sa on the target.
  await maria.sql("CREATE USER IF NOT EXISTS 'mysql_user'@'127.0.0.1' IDENTIFIED BY 'mysql_passwd'");
  await maria.sql(`GRANT SELECT ON ${maria.name}.* TO 'mysql_user'@'127.0.0.1'`);
  await pg.sql(`DO $$ BEGIN CREATE ROLE sa LOGIN PASSWORD 'Sqls3rv3r_Pa55word!'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await pg.sql('GRANT INSERT, SELECT ON users TO sa');
});

afterEach(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await Promise.all([maria.drop(), pg.drop()]);
});

const env = () => ({ ALOFT_DATA_DIR: dataDir, ENV_JDBC_SOURCE_URL: maria.url, ENV_JDBC_TARGET_URL: pg.url });

it("runs the seed's JDBC flow from MariaDB to PostgreSQL on the embedded runtime", async () => {
  const { execution } = await runFlowFile(example('seed-jdbc.yml'), { runtime: { env: env() } });
  expect(execution.state.current).toBe('SUCCESS');
  expect(outputOf(execution, 'query')).toMatchObject({ size: 2, uri: expect.stringMatching(/^kestra:\/\/\/io\/aloft\/examples\/seed-jdbc\/executions\//) });
  expect(outputOf(execution, 'load')).toEqual({ rowCount: 2, updatedCount: 2 });
  const rows = await pg.sql<Record<string, unknown>>('SELECT id, login, balance, active, created, visits, rating, notes, updated FROM users ORDER BY id');
  expect(rows).toEqual([
    {
      id: '1', login: 'ada', balance: '1234.50', active: true, created: new Date('2024-01-02T03:04:05.123Z'), visits: '9007199254740993', rating: 4.5,
      notes: 'notes, with "quotes"', updated: new Date('2024-06-01T12:00:00.000Z'),
    },
    { id: '2', login: 'bob', balance: '0.00', active: false, created: null, visits: '0', rating: null, notes: null, updated: null },
  ]);
  expect(await connectionsClosed(maria)).toBe(0);
  expect(await connectionsClosed(pg)).toBe(0);
});

it('warns when the flow as published is deployed, since it reads an input the flow does not declare', async () => {
  const runtime = new LocalRuntime({ env: env() });
  try {
    const { warnings } = await runtime.deploy(readFileSync(example('seed-jdbc-as-published.yml'), 'utf8'), 'seed-jdbc-as-published.yml');
    expect(warnings).toContainEqual(expect.objectContaining({
      message: 'inputs.query is not a declared input', hint: 'did you mean outputs.query.uri?', task: 'load', line: 21,
    }));
  } finally {
    await runtime.stop();
  }
});

it('fails the load task of the flow as published, which reads an input the flow does not declare', async () => {
  const { execution } = await runFlowFile(example('seed-jdbc-as-published.yml'), { runtime: { env: env() } });
  expect(execution.state.current).toBe('FAILED');
  expect(runsOf(execution, 'query')[0]?.state.current).toBe('SUCCESS');
  expect(runsOf(execution, 'load')[0]?.error).toMatchObject({
    code: 'EXPRESSION', task: 'load', property: 'from', message: expect.stringContaining("undefined variable 'inputs.query'"),
  });
  expect(await pg.sql('SELECT id FROM users')).toEqual([]);
});
