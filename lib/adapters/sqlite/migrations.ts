// The data directory's schema, as an ordered list of migrations. A database records the number of
// the last migration it ran (`meta.schema_version`); opening runs the missing ones in order, inside
// one transaction, and refuses a database written by a newer Aloft rather than misread it.
// Never edit a released migration: append a new one.
import type Database from 'better-sqlite3';
import { AloftError, ErrorCode } from '../../model/errors';

export interface Migration {
  /** 1, 2, 3...: its position in the list. */
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'executions, task runs, inbox, outbox, flows, attempts, logs, trigger state, wake-ups',
    up: (db) => db.exec(`
      CREATE TABLE executions (
        id TEXT PRIMARY KEY,
        namespace TEXT NOT NULL,
        flow_id TEXT NOT NULL,
        state TEXT NOT NULL,
        start_date TEXT NOT NULL,
        header TEXT NOT NULL
      );
      -- Newest first, the id breaking ties: the order of list() and of its keyset cursor.
      CREATE INDEX executions_by_start ON executions (start_date DESC, id);
      CREATE INDEX executions_by_namespace ON executions (namespace, start_date DESC, id);
      CREATE INDEX executions_by_flow ON executions (namespace, flow_id, start_date DESC, id);
      CREATE INDEX executions_by_state ON executions (state, start_date DESC, id);

      CREATE TABLE task_runs (
        execution_id TEXT NOT NULL,
        pos INTEGER NOT NULL,
        id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (execution_id, pos)
      );

      -- Events still pending when an execution was written to the tables (see journal).
      CREATE TABLE inbox (
        execution_id TEXT NOT NULL,
        key TEXT NOT NULL,
        seq INTEGER NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (execution_id, key)
      ) WITHOUT ROWID;
      -- Every key ever appended to an execution (joined by U+0000), so that a redelivered event is
      -- refused forever: one row per execution rather than one per event.
      CREATE TABLE event_keys (
        execution_id TEXT PRIMARY KEY,
        keys TEXT NOT NULL
      ) WITHOUT ROWID;

      -- What changed in live executions, appended in commit order (state-store.ts): kind 1, one
      -- execution's changes of one commit (json); kind 2, settled (the keyed tables hold
      -- everything before it).
      CREATE TABLE journal (
        seq INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        kind INTEGER NOT NULL,
        json TEXT
      );

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        json TEXT NOT NULL
      );

      CREATE TABLE flows (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        updated TEXT NOT NULL,
        source TEXT NOT NULL,
        flow TEXT NOT NULL,
        PRIMARY KEY (namespace, id, revision)
      );
      -- Revision numbers keep counting after a delete, as Kestra's do.
      CREATE TABLE flow_revisions (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        last_revision INTEGER NOT NULL,
        PRIMARY KEY (namespace, id)
      ) WITHOUT ROWID;

      CREATE TABLE attempts (
        execution_id TEXT NOT NULL,
        task_run_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        running INTEGER NOT NULL,
        worker_id TEXT,
        claimed_at INTEGER,
        heartbeat INTEGER,
        timeout_ms INTEGER,
        PRIMARY KEY (execution_id, task_run_id, attempt)
      ) WITHOUT ROWID;
      CREATE INDEX attempts_running ON attempts (heartbeat) WHERE running = 1;
      -- Claims and finishes not yet in attempts, in order (attempt-ledger.ts).
      CREATE TABLE attempt_journal (
        seq INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        task_run_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        running INTEGER NOT NULL,
        worker_id TEXT,
        claimed_at INTEGER,
        heartbeat INTEGER,
        timeout_ms INTEGER
      );

      CREATE TABLE logs (
        seq INTEGER PRIMARY KEY,
        execution_id TEXT NOT NULL,
        task_run_id TEXT,
        level INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX logs_by_execution ON logs (execution_id, seq);

      CREATE TABLE trigger_dates (
        trigger_key TEXT PRIMARY KEY,
        last_date TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE trigger_windows (
        trigger_key TEXT NOT NULL,
        condition_id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (trigger_key, condition_id)
      ) WITHOUT ROWID;

      CREATE TABLE wake_ups (
        id TEXT PRIMARY KEY,
        due_ms INTEGER NOT NULL,
        json TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX wake_ups_due ON wake_ups (due_ms);
    `),
  },
  {
    version: 2,
    description: 'key-value store',
    up: (db) => db.exec(`
      -- One row per live or expired key; expired rows are ignored on read and replaced on write.
      CREATE TABLE kv (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        type TEXT NOT NULL,
        value TEXT NOT NULL,
        description TEXT,
        creation_date TEXT NOT NULL,
        update_date TEXT NOT NULL,
        expiration_ms INTEGER,
        PRIMARY KEY (namespace, key)
      ) WITHOUT ROWID;
    `),
  },
  {
    version: 3,
    description: 'outbox rows keyed by seq only',
    // The UNIQUE index on ids cost a random page per insert and per delete; the store knows each
    // row's seq (it assigns them) and deletes by it.
    up: (db) => db.exec(`
      CREATE TABLE outbox_by_seq (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        json TEXT NOT NULL
      );
      INSERT INTO outbox_by_seq (seq, id, created_at, json) SELECT seq, id, created_at, json FROM outbox;
      DROP TABLE outbox;
      ALTER TABLE outbox_by_seq RENAME TO outbox;
    `),
  },
  {
    version: 4,
    description: 'polling trigger state',
    up: (db) => db.exec(`
      CREATE TABLE trigger_polls (
        trigger_key TEXT PRIMARY KEY,
        json TEXT NOT NULL
      ) WITHOUT ROWID;
    `),
  },
  {
    version: 5,
    description: 'flow concurrency slots',
    up: (db) => db.exec(`
      -- One row per flow with a concurrency limit: lib/model/concurrency-slots.ts's record as JSON.
      CREATE TABLE concurrency_slots (
        flow_key TEXT PRIMARY KEY,
        json TEXT NOT NULL
      ) WITHOUT ROWID;
    `),
  },
  {
    version: 6,
    description: 'flow dependency references',
    up: (db) => db.exec(`
      -- One row per flow: its FlowRefs as JSON (lib/ports/flow-dependency-store.ts).
      CREATE TABLE flow_refs (
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (namespace, id)
      ) WITHOUT ROWID;
      -- One row per key a listener's Flow triggers are filed under (listenKeysOf).
      CREATE TABLE flow_listen_keys (
        key TEXT NOT NULL,
        namespace TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (key, namespace, id)
      ) WITHOUT ROWID;
      CREATE INDEX flow_listen_keys_by_flow ON flow_listen_keys (namespace, id);
      -- One row per subflow a flow calls: its callers are read by the callee's key.
      CREATE TABLE flow_calls (
        target_namespace TEXT NOT NULL,
        target_id TEXT NOT NULL,
        caller_namespace TEXT NOT NULL,
        caller_id TEXT NOT NULL,
        PRIMARY KEY (target_namespace, target_id, caller_namespace, caller_id)
      ) WITHOUT ROWID;
      CREATE INDEX flow_calls_by_caller ON flow_calls (caller_namespace, caller_id);
    `),
  },
  {
    version: 7,
    description: "an execution's task runs in its executions row",
    // A settled execution is written as one row instead of one per task run: each row of task_runs
    // cost an insert in its table and in its primary key's index. The runs' JSON is joined as it
    // was stored, in list order, so it reads back exactly.
    up: (db) => db.exec(`
      ALTER TABLE executions ADD COLUMN runs TEXT NOT NULL DEFAULT '[]';
      UPDATE executions SET runs = (
        SELECT '[' || group_concat(json, ',' ORDER BY pos) || ']' FROM task_runs WHERE execution_id = executions.id
      ) WHERE id IN (SELECT execution_id FROM task_runs);
      DROP TABLE task_runs;
    `),
  },
];

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The version recorded in the database; 0 for a new (empty) database. */
export function schemaVersionOf(db: Database.Database): number {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return 0;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string } | undefined;
  return row ? Number(row.value) : 0;
}

/**
 * Brings the database to the last migration of `migrations`, in one transaction: a migration that
 * fails leaves the database as it was. `where` names the database in errors.
 */
export function migrate(db: Database.Database, where: string, migrations: readonly Migration[] = MIGRATIONS): { from: number; to: number } {
  const latest = migrations.length;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list out of order: position ${i + 1} holds version ${m.version}`);
  });
  const run = db.transaction(() => {
    const from = schemaVersionOf(db);
    if (from > latest) {
      throw new AloftError(
        ErrorCode.CONFIG_INVALID,
        `${where} was written by a newer Aloft (schema ${from}); this Aloft reads up to schema ${latest}`,
        {}, 'upgrade Aloft, or point it at another data directory',
      );
    }
    if (from === latest) return { from, to: latest };
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
    for (const m of migrations.slice(from)) m.up(db);
    db.prepare("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(latest));
    return { from, to: latest };
  });
  // IMMEDIATE: the write lock is taken before the version is read.
  return run.immediate();
}
