// bench:jdbc — moves ROWS rows (default 1,000,000) from a MariaDB Query (store: true) to a
// PostgreSQL Batch through local internal storage, as the seed's JDBC flow does. Prints one JSON line.
// Needs scripts/services/mariadb.sh and postgres.sh started and their .env files loaded.
// Not a test: figures go into notes, never into assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { FolderBlobStore } from '../lib/adapters/local/blob-store';
import { executionPrefix } from '../lib/model/storage-uri';
import { jdbcTasks } from '../lib/plugins/jdbc';
import type { TaskContext } from '../lib/plugins/types';
import { ScopedTaskStorage } from '../lib/worker/storage';

const ROWS = Number(process.env.ROWS ?? 1_000_000);

function required(name: string, script: string): URL {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/services/${script}.sh start and load .aloft/run/${script}.env`);
  return new URL(value);
}

/** A bare task context: real storage rules on a temporary folder, no logs kept. */
function context(root: string, executionId: string): TaskContext {
  const execution = { id: executionId, namespace: 'bench', flowId: 'jdbc' };
  const noop = (): void => undefined;
  return {
    render: async <T>(v: unknown) => v as T,
    storage: new ScopedTaskStorage(new FolderBlobStore({ root }), { ...execution, executionId, taskId: 't', taskRunId: randomUUID() },
      [executionPrefix(execution.namespace, execution.flowId, executionId)]),
    logger: { log: noop, debug: noop, info: noop, warn: noop, error: noop },
    secret: async () => '',
    signal: new AbortController().signal,
    deadline: new Date(8.64e15),
    metrics: { counter: noop, timer: noop },
    now: () => new Date(),
    tempDir: async () => mkdtempSync(join(root, 'tmp-')),
    execution,
    taskRun: { id: randomUUID(), taskId: 't', attempt: 0 },
    env: {},
  };
}

const task = (type: string) => jdbcTasks.find((t) => t.type === type)!;

async function main(): Promise<void> {
  const my = required('ALOFT_TEST_MYSQL_URL', 'mariadb');
  const pg = required('ALOFT_TEST_PG_URL', 'postgres');
  const db = `bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const dir = mkdtempSync(join(tmpdir(), 'aloft-bench-jdbc-'));

  // Source table in MariaDB, filled server-side from its sequence engine.
  const source = await mysql.createConnection({ host: my.hostname, port: Number(my.port), user: decodeURIComponent(my.username), password: decodeURIComponent(my.password) });
  await source.query(`CREATE DATABASE ${db}`);
  await source.query(`CREATE TABLE ${db}.users (id BIGINT PRIMARY KEY, name VARCHAR(64), email VARCHAR(128), amount DECIMAL(12,2),
    created DATETIME(3), active TINYINT(1), note TEXT NULL)`);
  await source.query(`INSERT INTO ${db}.users SELECT seq, CONCAT('user-', seq), CONCAT('user', seq, '@example.com'), seq * 1.25,
    '2024-01-01' + INTERVAL seq SECOND, seq % 2, IF(seq % 3 = 0, NULL, 'some note text') FROM ${db}.seq_1_to_${ROWS}`);

  const admin = new Client({ connectionString: pg.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  const target = new Client({ connectionString: pg.toString().replace(/\/[^/]*$/, `/${db}`) });
  await target.connect();
  await target.query(`CREATE TABLE users (id BIGINT PRIMARY KEY, name VARCHAR(64), email VARCHAR(128), amount NUMERIC(12,2),
    created TIMESTAMP(3), active SMALLINT, note TEXT)`);

  let peakRss = process.memoryUsage().rss;
  let peakHeap = 0;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed + m.external);
  }, 20);
  const ctx = context(join(dir, 'storage'), randomUUID());
  try {
    const started = process.hrtime.bigint();
    const query = await task('io.kestra.plugin.jdbc.mysql.Query').run(ctx, {
      url: `jdbc:mysql://${my.hostname}:${my.port}/${db}`, username: decodeURIComponent(my.username), password: decodeURIComponent(my.password),
      sql: 'select * from users', store: true,
    });
    const queried = process.hrtime.bigint();
    const queryPeakRss = peakRss;
    const batch = await task('io.kestra.plugin.jdbc.postgresql.Batch').run(ctx, {
      url: `jdbc:postgresql://${pg.hostname}:${pg.port}/${db}`, username: decodeURIComponent(pg.username), password: decodeURIComponent(pg.password),
      from: query.uri, sql: 'insert into users values (?, ?, ?, ?, ?, ?, ?)',
    });
    const ended = process.hrtime.bigint();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const loaded = Number((await target.query('SELECT count(*) AS n FROM users')).rows[0].n);
    const s = (a: bigint, b: bigint): number => Number(b - a) / 1e9;
    const total = s(started, ended);
    const fileBytes = (await new FolderBlobStore({ root: join(dir, 'storage') }).list(query.uri.replace(/[^/]+$/, ''))).reduce((a, f) => a + f.size, 0);
    console.log(JSON.stringify({
      bench: 'jdbc', rows: ROWS, loaded, stored: query.size, rowCount: batch.rowCount, updatedCount: batch.updatedCount,
      seconds: round(total), rows_per_s: Math.round(ROWS / total),
      query_s: round(s(started, queried)), batch_s: round(s(queried, ended)),
      peak_rss_mb: round(peakRss / 2 ** 20), query_peak_rss_mb: round(queryPeakRss / 2 ** 20), peak_heap_mb: round(peakHeap / 2 ** 20), file_mb: round(fileBytes / 2 ** 20), node: process.version,
    }));
  } finally {
    clearInterval(sampler);
    await source.query(`DROP DATABASE ${db}`).catch(() => undefined);
    await source.end();
    await target.end();
    await admin.query(`DROP DATABASE ${db}`).catch(() => undefined);
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (n: number): number => Math.round(n * 10) / 10;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
