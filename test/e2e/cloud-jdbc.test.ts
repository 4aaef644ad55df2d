// The seed's JDBC flow (examples/jdbc/seed-jdbc.yml) on the emulated cloud: the Query stores its rows in
// Cloud Storage (the storage emulator) and the Batch reads them back, between real MariaDB and PostgreSQL.
// Needs scripts/services/mariadb.sh and postgres.sh (npm run test:all starts them).
import { join } from 'node:path';
import { startEmulatedCloud, type EmulatedCloud } from '../../lib/dev/cloud';
import { createFlowFile, startExecution, waitForExecution } from '../helpers/emulated-cloud';
import { connectionsClosed, mariadb, postgres, type TestDatabase } from '../integration/jdbc/databases';

jest.setTimeout(300_000);

let cloud: EmulatedCloud;
let maria: TestDatabase;
let pg: TestDatabase;

beforeAll(async () => {
  [maria, pg] = await Promise.all([mariadb('cloudseed'), postgres('cloudseed')]);
  // The seed's insert has 23 placeholders: id, login, balance and 20 text columns.
  const extra = Array.from({ length: 20 }, (_, i) => `c${i} VARCHAR(16)`).join(', ');
  const blanks = Array.from({ length: 20 }, (_, i) => `'v${i}'`).join(', ');
  await maria.sql(`CREATE TABLE users (id BIGINT PRIMARY KEY, login VARCHAR(32), balance DECIMAL(14,2), ${extra})`);
  await maria.sql(`INSERT INTO users VALUES (1, 'ada', 1234.50, ${blanks}), (2, 'bob', 0, ${blanks})`);
  await maria.sql("CREATE USER IF NOT EXISTS 'mysql_user'@'127.0.0.1' IDENTIFIED BY 'mysql_passwd'");
  await maria.sql(`GRANT SELECT ON ${maria.name}.* TO 'mysql_user'@'127.0.0.1'`);
  await pg.sql(`CREATE TABLE users (id BIGINT PRIMARY KEY, login VARCHAR(32), balance NUMERIC(14,2), ${extra})`);
  await pg.sql(`DO $$ BEGIN CREATE ROLE sa LOGIN PASSWORD 'Sqls3rv3r_Pa55word!'; EXCEPTION WHEN duplicate_object THEN NULL; END $$`);
  await pg.sql('GRANT INSERT, SELECT ON users TO sa');
  cloud = await startEmulatedCloud({
    logSink: () => undefined,
    env: { ENV_JDBC_SOURCE_URL: maria.url, ENV_JDBC_TARGET_URL: pg.url },
  });
});

afterAll(async () => {
  await cloud?.stop();
  await Promise.all([maria?.drop(), pg?.drop()]);
});

it("runs the seed's JDBC flow through Cloud Storage on the emulated cloud", async () => {
  await createFlowFile(cloud.apiUrl, join(__dirname, '../../examples/jdbc/seed-jdbc.yml'));
  const started = await startExecution(cloud.apiUrl, 'io.aloft.examples', 'seed-jdbc');
  const done = await waitForExecution(cloud.apiUrl, started.id);
  // Errors are part of the expectation so that a failure shows its reason.
  expect({ state: done.state.current, errors: done.taskRunList.map((r) => r.error).filter(Boolean) }).toEqual({ state: 'SUCCESS', errors: [] });
  const query = done.taskRunList.find((r) => r.taskId === 'query');
  expect(query?.outputs).toMatchObject({ size: 2, uri: expect.stringMatching(/^kestra:\/\/\/io\/aloft\/examples\/seed-jdbc\/executions\//) });
  const key = String(query?.outputs?.uri).slice('kestra:///'.length);
  const [exists] = await storedInBucket(key);
  expect(exists).toBe(true);
  expect(done.taskRunList.find((r) => r.taskId === 'load')?.outputs).toEqual({ rowCount: 2, updatedCount: 2 });
  expect(await pg.sql('SELECT id, login, balance FROM users ORDER BY id')).toEqual([
    { id: '1', login: 'ada', balance: '1234.50' }, { id: '2', login: 'bob', balance: '0.00' },
  ]);
  expect(await connectionsClosed(maria)).toBe(0);
  expect(await connectionsClosed(pg)).toBe(0);
});

/** Whether the row file is really in the bucket, read through the storage emulator's JSON API. */
async function storedInBucket(key: string): Promise<[boolean]> {
  const host = cloud.env.STORAGE_EMULATOR_HOST.replace(/\/+$/, '');
  const base = host.includes('://') ? host : `http://${host}`;
  const prefix = cloud.env.ALOFT_STORAGE_PREFIX ? `${cloud.env.ALOFT_STORAGE_PREFIX.replace(/\/+$/, '')}/` : '';
  const res = await fetch(`${base}/storage/v1/b/${cloud.bucket}/o/${encodeURIComponent(prefix + key)}`);
  return [res.ok];
}
