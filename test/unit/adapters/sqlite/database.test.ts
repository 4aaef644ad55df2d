import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteData } from '../../../../lib/adapters/sqlite';
import { SqliteDatabase } from '../../../../lib/adapters/sqlite/database';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersionOf, type Migration } from '../../../../lib/adapters/sqlite/migrations';
import type { Execution, TaskRun } from '../../../../lib/model/execution';
import { newStateRecord } from '../../../../lib/model/states';
import { runFixture } from './child';
import { tempDir } from './temp-data';

const T0 = new Date('2024-03-14T10:00:00.000Z');

const errorOf = (open: () => unknown): { code?: string; message?: string } => {
  try {
    open();
  } catch (err) {
    return err as { code?: string; message?: string };
  }
  throw new Error('expected the open to fail');
};

describe('a SQLite data directory', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir(); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  describe('one owner at a time', () => {
    it('refuses a second process with DATA_DIR_LOCKED, naming the directory and the owner pid', async () => {
      const data = openSqliteData(dir);
      try {
        const child = runFixture('hold-data-dir.ts', [dir]);
        const answer = JSON.parse(await child.line((l) => l.startsWith('{'))) as { code?: string; message?: string };
        await child.exited;
        expect(answer.code).toBe('DATA_DIR_LOCKED');
        expect(answer.message).toBe(`data directory ${dir} is in use by another Aloft process (pid ${process.pid})`);
        // The refused process changed nothing: the owner goes on.
        await data.flowRepo.save({ id: 'f', namespace: 'n', tasks: [] }, 'id: f', new Date());
      } finally {
        data.close();
      }
      const reopened = openSqliteData(dir);
      expect((await reopened.flowRepo.get('n', 'f'))?.revision).toBe(1);
      reopened.close();
    }, 30_000);

    it('opens a directory whose owner was SIGKILLed, and refuses it while that owner lived', async () => {
      const child = runFixture('hold-data-dir.ts', [dir]);
      const held = JSON.parse(await child.line((l) => l.startsWith('{'))) as { opened?: boolean; pid?: number };
      expect(held.opened).toBe(true);
      expect(errorOf(() => openSqliteData(dir))).toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`(pid ${held.pid})`) });
      child.process.kill('SIGKILL');
      await child.exited;
      const data = openSqliteData(dir);
      expect(await data.store.get('none')).toBeNull();
      data.close();
    }, 30_000);

    it('refuses a second open in the same process too, and releases the directory on close (idempotent)', () => {
      const data = openSqliteData(dir);
      expect(errorOf(() => openSqliteData(dir)).code).toBe('DATA_DIR_LOCKED');
      data.close();
      data.close();
      openSqliteData(dir).close();
    });
  });

  describe('schema versions', () => {
    const record = (log: string[], version: number, sql: string): Migration => ({
      version, description: `v${version}`, up: (db) => { log.push(`v${version}`); db.exec(sql); },
    });

    it('runs the migrations a database lacks, in order, and records the version', () => {
      const db = new Database(join(dir, 'm.db'));
      const log: string[] = [];
      const v1 = record(log, 1, 'CREATE TABLE a (x)');
      const v2 = record(log, 2, 'CREATE TABLE b (x)');
      const v3 = record(log, 3, 'ALTER TABLE a ADD COLUMN y');
      expect(migrate(db, 'test', [v1])).toEqual({ from: 0, to: 1 });
      expect(migrate(db, 'test', [v1, v2, v3])).toEqual({ from: 1, to: 3 });
      expect(migrate(db, 'test', [v1, v2, v3])).toEqual({ from: 3, to: 3 });
      expect(log).toEqual(['v1', 'v2', 'v3']);
      expect(schemaVersionOf(db)).toBe(3);
      db.close();
    });

    it('leaves the database as it was when a migration fails', () => {
      const db = new Database(join(dir, 'm.db'));
      const log: string[] = [];
      const v1 = record(log, 1, 'CREATE TABLE a (x)');
      migrate(db, 'test', [v1]);
      expect(() => migrate(db, 'test', [v1, record(log, 2, 'CREATE TABLE b (x)'), record(log, 3, 'NOT SQL')])).toThrow();
      expect(schemaVersionOf(db)).toBe(1);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'b'").get()).toBeUndefined();
      db.close();
    });

    it('creates a new directory at the current schema', () => {
      openSqliteData(dir).close();
      const db = new Database(join(dir, 'aloft.db'));
      expect(schemaVersionOf(db)).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
      db.close();
    });

    it('keeps the outbox rows of a schema-2 database when it moves them to the table keyed by seq only', () => {
      const db = new Database(join(dir, 'aloft.db'));
      migrate(db, 'test', MIGRATIONS.slice(0, 2));
      db.prepare("INSERT INTO outbox (seq, id, created_at, json) VALUES (7, 'e:1:0', '2024-01-01T00:00:00.000Z', '{}')").run();
      db.close();
      openSqliteData(dir).close();
      const after = new Database(join(dir, 'aloft.db'));
      expect(after.prepare('SELECT seq, id FROM outbox').all()).toEqual([{ seq: 7, id: 'e:1:0' }]);
      expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'outbox'").all()).toEqual([]);
      after.close();
    });

    it('moves the task runs of a schema-6 directory into their executions rows, in order, and reads every execution back exactly', async () => {
      const run = (executionId: string, n: number): TaskRun => ({
        id: `${executionId}-r${n}`, executionId, namespace: 'n', flowId: 'f', taskId: `t${n}`, attempts: [{ state: newStateRecord('SUCCESS', T0) }],
        state: newStateRecord('SUCCESS', T0), outputs: { n, text: 'é "quoted"' },
      });
      const execution = (id: string, runs: TaskRun[]): Execution => ({
        id, namespace: 'n', flowId: 'f', flowRevision: 1, state: newStateRecord('SUCCESS', T0), inputs: {}, taskRunList: runs, version: 3,
      });
      const ended = execution('a', [run('a', 0), run('a', 1), run('a', 2)]);
      const empty = execution('b', []);
      // As schema 6 wrote them: the header in the row, one task_runs row per run (inserted out of order here).
      const db = new Database(join(dir, 'aloft.db'));
      migrate(db, 'test', MIGRATIONS.slice(0, 6));
      const insert = db.prepare('INSERT INTO executions (id, namespace, flow_id, state, start_date, header) VALUES (?, ?, ?, ?, ?, ?)');
      const putRun = db.prepare('INSERT INTO task_runs (execution_id, pos, id, json) VALUES (?, ?, ?, ?)');
      for (const e of [ended, empty]) {
        const { taskRunList, ...header } = e;
        insert.run(e.id, e.namespace, e.flowId, e.state.current, T0.toISOString(), JSON.stringify(header));
        for (const pos of [2, 0, 1]) if (taskRunList[pos]) putRun.run(e.id, pos, taskRunList[pos].id, JSON.stringify(taskRunList[pos]));
      }
      db.close();
      const data = openSqliteData(dir, { endedCacheSize: 0 });
      try {
        expect(await data.store.get('a')).toEqual(ended);
        expect(await data.store.get('b')).toEqual(empty);
        expect((await data.store.list({ namespace: 'n' })).executions).toEqual([empty, ended].sort((x, y) => (x.id < y.id ? -1 : 1)));
      } finally {
        data.close();
      }
      const after = new Database(join(dir, 'aloft.db'));
      // The stored JSON, joined as it was: nothing parsed and written again.
      expect(after.prepare("SELECT runs FROM executions WHERE id = 'a'").pluck().get()).toBe(JSON.stringify(ended.taskRunList));
      expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'task_runs'").get()).toBeUndefined();
      expect(schemaVersionOf(after)).toBe(SCHEMA_VERSION);
      after.close();
    });

    it('refuses a database written by a newer Aloft, with both versions in the message', () => {
      openSqliteData(dir).close();
      const db = new Database(join(dir, 'aloft.db'));
      const newer = SCHEMA_VERSION + 1;
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(newer));
      db.close();
      expect(errorOf(() => openSqliteData(dir))).toMatchObject({
        code: 'CONFIG_INVALID',
        message: `data directory ${dir} was written by a newer Aloft (schema ${newer}); this Aloft reads up to schema ${SCHEMA_VERSION}`,
      });
      // Refused, not changed.
      const again = new Database(join(dir, 'aloft.db'));
      expect(schemaVersionOf(again)).toBe(newer);
      again.close();
    });

    it('refuses a directory it cannot create, naming it', () => {
      writeFileSync(join(dir, 'file'), 'x');
      const where = join(dir, 'file', 'data');
      expect(errorOf(() => openSqliteData(where))).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(`cannot open data directory ${where}`) });
    });

    it('refuses a file that is not a database, naming it', () => {
      writeFileSync(join(dir, 'aloft.db'), 'this is not SQLite, just some text that is long enough to be read as a header'.repeat(4));
      expect(errorOf(() => openSqliteData(dir))).toMatchObject({
        code: 'CONFIG_INVALID', message: expect.stringContaining(`${join(dir, 'aloft.db')} is not a readable Aloft database`),
      });
    });
  });

  describe('synchronous setting', () => {
    const synchronous = (db: SqliteDatabase): unknown => db.db.pragma('synchronous', { simple: true });

    it('is NORMAL by default and FULL when asked, in WAL mode', () => {
      const normal = SqliteDatabase.open(dir);
      expect(synchronous(normal)).toBe(1);
      expect(normal.db.pragma('journal_mode', { simple: true })).toBe('wal');
      normal.close();
      const full = SqliteDatabase.open(dir, { synchronous: 'FULL' });
      expect(synchronous(full)).toBe(2);
      full.close();
    });
  });

  describe('group commit', () => {
    it('runs every write of a turn on the writer thread in one commit, seen by reads once acknowledged, and refuses writes once closed', async () => {
      const db = SqliteDatabase.open(dir);
      db.db.exec('CREATE TABLE t (x)');
      const insert = db.statement<[number]>('INSERT INTO t VALUES (?)');
      const count = (): unknown => db.db.prepare('SELECT COUNT(*) FROM t').pluck().get();
      const before = db.acked;
      for (let i = 0; i < 3; i++) insert.run(i);
      // Nothing is written on this thread: the batch goes to the writer at the end of the next turn.
      expect(count()).toBe(0);
      await db.durable();
      expect(count()).toBe(3);
      expect(db.acked).toBe(before + 1);
      db.close();
      expect(() => insert.run(4)).toThrow(/closed/);
    });

    it('refuses every later write once a flusher failed, naming the directory, and keeps what was committed before', async () => {
      const db = SqliteDatabase.open(dir);
      db.db.exec('CREATE TABLE t (x)');
      const insert = db.statement<[string]>('INSERT INTO t VALUES (?)');
      insert.run('kept');
      await db.durable();
      let failing = false;
      db.onFlush(() => { if (failing) throw new Error('disk full'); });
      failing = true;
      insert.run('lost');
      await expect(db.durable()).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringContaining(`data directory ${dir}: a commit failed (disk full)`) });
      expect(() => db.write()).toThrow(/a commit failed/);
      expect(db.db.prepare('SELECT x FROM t').pluck().all()).toEqual(['kept']);
      db.close();
    });

    it('fails every waiter with a coded error when the writer thread cannot commit, and writes nothing of that batch or later ones', async () => {
      const db = SqliteDatabase.open(dir);
      db.db.exec('CREATE TABLE t (x PRIMARY KEY)');
      const insert = db.statement<[string]>('INSERT INTO t VALUES (?)');
      insert.run('kept');
      await db.durable();
      insert.run('first');
      insert.run('kept');
      const failed = db.durable();
      // The next batch, handed to the writer behind the failing one.
      await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
      insert.run('later');
      const later = db.durable();
      const error = { code: 'INTERNAL', message: expect.stringMatching(new RegExp(`^data directory ${dir}: a commit failed \\(SQLITE_CONSTRAINT`)) };
      await expect(failed).rejects.toMatchObject(error);
      await expect(later).rejects.toMatchObject(error);
      expect(() => insert.run('refused')).toThrow(/a commit failed/);
      expect(db.db.prepare('SELECT x FROM t').pluck().all()).toEqual(['kept']);
      db.close();
    });

    it('wakes this thread at once when the commit it waits for fails, with SQLite\'s own error rather than a timeout', async () => {
      const db = SqliteDatabase.open(dir);
      db.db.exec('CREATE TABLE t (x PRIMARY KEY)');
      const insert = db.statement<[string]>('INSERT INTO t VALUES (?)');
      insert.run('a');
      await db.durable();
      insert.run('a');
      const failed = db.durable();
      // close() blocks this thread until the writer answers (jest's own timeout cannot fire meanwhile):
      // a failed commit must wake it, where it used to sleep out the writer's whole 60 s limit.
      const started = Date.now();
      db.close();
      expect(Date.now() - started).toBeLessThan(30_000);
      await expect(failed).rejects.toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/a commit failed \(SQLITE_CONSTRAINT/) });
    });

    it('close() waits for the batches the writer still holds, then closes both connections', async () => {
      const db = SqliteDatabase.open(dir);
      db.db.exec('CREATE TABLE t (x)');
      const insert = db.statement<[number]>('INSERT INTO t VALUES (?)');
      for (let i = 0; i < 1000; i++) insert.run(i);
      db.commit();
      for (let i = 0; i < 1000; i++) insert.run(i);
      const last = db.durable();
      db.close();
      await last;
      expect(db.db.open).toBe(false);
      const again = new Database(join(dir, 'aloft.db'));
      expect(again.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(2000);
      again.close();
    });
  });
});
