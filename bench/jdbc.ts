// bench:jdbc — moves ROWS rows (default 1,000,000) from a MariaDB Query (store: true) to a
// PostgreSQL Batch through local internal storage: the seed's JDBC flow shape, run on the embedded
// runtime. Prints one JSON line. `npm run bench:jdbc` starts MariaDB and PostgreSQL through
// scripts/with-services.sh and stops them after. Not a test: figures go into notes, never into assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import mysql from 'mysql2/promise';
import { Client } from 'pg';
import { LocalRuntime } from '../lib/runtime/embedded/runtime';

const ROWS = Number(process.env.ROWS ?? 1_000_000);

const FLOW = `id: bench-jdbc
namespace: bench
tasks:
  - id: query
    type: io.kestra.plugin.jdbc.mysql.Query
    url: "{{ envs.bench_source_url }}"
    username: "{{ envs.bench_source_user }}"
    password: "{{ envs.bench_source_password }}"
    sql: select * from users
    store: true
  - id: load
    type: io.kestra.plugin.jdbc.postgresql.Batch
    url: "{{ envs.bench_target_url }}"
    username: "{{ envs.bench_target_user }}"
    password: "{{ envs.bench_target_password }}"
    from: "{{ outputs.query.uri }}"
    sql: insert into users values (?, ?, ?, ?, ?, ?, ?)
`;

function required(name: string, script: string): URL {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run scripts/services/${script}.sh start and load .aloft/run/${script}.env`);
  return new URL(value);
}

const seconds = (from: string | undefined, to: string | undefined): number => (Date.parse(to ?? '') - Date.parse(from ?? '')) / 1000;
const round = (n: number): number => Math.round(n * 10) / 10;
const mb = (bytes: number): number => round(bytes / 2 ** 20);

async function main(): Promise<void> {
  const my = required('ALOFT_TEST_MYSQL_URL', 'mariadb');
  const pg = required('ALOFT_TEST_PG_URL', 'postgres');
  const db = `bench_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'aloft-bench-jdbc-'));
  const myUser = decodeURIComponent(my.username);
  const myPassword = decodeURIComponent(my.password);

  // Source table in MariaDB, filled server-side from its sequence engine.
  const source = await mysql.createConnection({ host: my.hostname, port: Number(my.port), user: myUser, password: myPassword });
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

  const runtime = new LocalRuntime({
    env: {
      ALOFT_DATA_DIR: dataDir,
      ENV_BENCH_SOURCE_URL: `jdbc:mysql://${my.hostname}:${my.port}/${db}`, ENV_BENCH_SOURCE_USER: myUser, ENV_BENCH_SOURCE_PASSWORD: myPassword,
      ENV_BENCH_TARGET_URL: `jdbc:postgresql://${pg.hostname}:${pg.port}/${db}`,
      ENV_BENCH_TARGET_USER: decodeURIComponent(pg.username), ENV_BENCH_TARGET_PASSWORD: decodeURIComponent(pg.password),
    },
  });
  // Peaks of the process: resident set, V8 heap (committed) and memory outside it (Buffers).
  const peak = { rss: 0, heap: 0, external: 0 };
  const timeline: [number, number][] = [];
  const sample = (): void => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapTotal);
    peak.external = Math.max(peak.external, m.external);
    timeline.push([Date.now(), m.rss]);
  };
  const peakBetween = (from: string | undefined, to: string | undefined): number =>
    timeline.filter(([t]) => t >= Date.parse(from ?? '') && t <= Date.parse(to ?? '')).reduce((a, [, rss]) => Math.max(a, rss), 0);
  sample();
  const sampler = setInterval(sample, 20);
  try {
    const { flow } = await runtime.deploy(FLOW, 'bench-jdbc.yml');
    await runtime.start();
    const baselineRss = process.memoryUsage().rss;
    const started = process.hrtime.bigint();
    const execution = await runtime.waitForEnd((await runtime.startExecution({ flow })).id);
    const total = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    sample();
    const run = (id: string) => execution.taskRunList.find((r) => r.taskId === id);
    const [query, load] = [run('query'), run('load')];
    if (execution.state.current !== 'SUCCESS') throw new Error(`the flow ended ${execution.state.current}: ${JSON.stringify(load?.error ?? query?.error)}`);
    const loaded = Number((await target.query('SELECT count(*) AS n FROM users')).rows[0].n);
    const span = (r: typeof query) => [r?.state.histories.find((h) => h.state === 'RUNNING')?.date, r?.state.histories.at(-1)?.date] as const;
    const time = (r: typeof query) => seconds(...span(r));
    console.log(JSON.stringify({
      bench: 'jdbc', rows: ROWS, loaded, stored: query?.outputs?.size, rowCount: load?.outputs?.rowCount, updatedCount: load?.outputs?.updatedCount,
      seconds: round(total), rows_per_s: Math.round(ROWS / total), query_s: round(time(query)), batch_s: round(time(load)),
      peak_rss_mb: mb(peak.rss), baseline_rss_mb: mb(baselineRss),
      query_peak_rss_mb: mb(peakBetween(...span(query))), batch_peak_rss_mb: mb(peakBetween(...span(load))), peak_heap_mb: mb(peak.heap), peak_external_mb: mb(peak.external),
      heap_limit_mb: mb(getHeapStatistics().heap_size_limit), node: process.version,
    }));
  } finally {
    clearInterval(sampler);
    await runtime.stop();
    await source.query(`DROP DATABASE ${db}`).catch(() => undefined);
    await source.end();
    await target.end();
    await admin.query(`DROP DATABASE ${db}`).catch(() => undefined);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
