// Per-test databases on the MariaDB and PostgreSQL servers started by scripts/services/*.sh, and the
// server-side connection counts the tests compare with their baseline.
import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Client } from 'pg';

function serviceUrl(name: string, script: string): URL {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run \`scripts/services/${script}.sh start\` and load .aloft/run/${script}.env (scripts/test-all.sh does both)`);
  }
  return new URL(value);
}

export interface TestDatabase {
  name: string;
  /** The JDBC URL of this database. */
  url: string;
  username: string;
  password: string;
  /** Runs SQL in this database, as the admin. */
  sql<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Client connections the server holds on this database right now (the admin's are not counted). */
  connections(): Promise<number>;
  drop(): Promise<void>;
}

const unique = (prefix: string): string => `${prefix}_${randomBytes(5).toString('hex')}`;

export async function mariadb(prefix = 'aloft'): Promise<TestDatabase> {
  const u = serviceUrl('ALOFT_TEST_MYSQL_URL', 'mariadb');
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const name = unique(prefix);
  const admin = await mysql.createConnection({
    host: u.hostname, port: Number(u.port), user: username, password, multipleStatements: true, supportBigNumbers: true, bigNumberStrings: true, timezone: 'Z',
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`USE ${name}`);
  return {
    name, username, password,
    url: `jdbc:mysql://${u.hostname}:${u.port}/${name}`,
    sql: async <T>(text: string, values?: unknown[]) => (await admin.query(text, values))[0] as T[],
    connections: async () => {
      const [rows] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [name]);
      return Number((rows as { n: number }[])[0].n);
    },
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end();
    },
  };
}

export async function postgres(prefix = 'aloft'): Promise<TestDatabase> {
  const u = serviceUrl('ALOFT_TEST_PG_URL', 'postgres');
  const username = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  const name = unique(prefix);
  const base = { host: u.hostname, port: Number(u.port), user: username, password };
  const admin = new Client({ ...base, database: u.pathname.slice(1) || 'postgres' });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const db = new Client({ ...base, database: name });
  await db.connect();
  return {
    name, username, password,
    url: `jdbc:postgresql://${u.hostname}:${u.port}/${name}`,
    sql: async <T>(text: string, values?: unknown[]) => (await db.query(text, values)).rows as T[],
    connections: async () => {
      const r = await admin.query('SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> $2', [name, (db as unknown as { processID: number }).processID]);
      return r.rows[0].n as number;
    },
    drop: async () => {
      await db.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Waits until the server has let go of every task connection. A closed socket takes the server a
 * moment to notice (a statement it was streaming notices on its next write, later on a loaded machine),
 * so this polls (up to about 30 s) and then reports what it saw.
 */
export async function connectionsClosed(db: TestDatabase): Promise<number> {
  let n = await db.connections();
  // Up to 60 s: a server busy with a huge result it was told to drop can take a while to free it.
  for (let i = 0; i < 600 && n > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    n = await db.connections();
  }
  return n;
}
