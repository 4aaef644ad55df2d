// The embedded runtime's durable data: every store of a data directory on one SQLite database
// ({dir}/aloft.db, in WAL mode), written through one group commit. Internal storage files stay a
// folder beside it ({dir}/storage, FolderBlobStore). See docs/durability.md.
import { SqliteAttemptLedger, type SqliteAttemptLedgerOptions } from './attempt-ledger';
import { SqliteStrandedExecutions, SqliteWakeUpStore } from './cloud-control';
import { SqliteDatabase, type SqliteOptions } from './database';
import { SqliteFlowDependencyStore } from './flow-dependency-store';
import { SqliteFlowRepository } from './flow-repository';
import { SqliteKeyValueStore } from './key-value-store';
import { SqliteLogStore } from './log-store';
import { SqliteStateStore, type SqliteStateStoreOptions } from './state-store';
import { SqliteTriggerStateStore } from './trigger-state';

export { SqliteAttemptLedger, type SqliteAttemptLedgerOptions } from './attempt-ledger';
export { SqliteStrandedExecutions, SqliteWakeUpStore } from './cloud-control';
export { SYNCHRONOUS_MODES, type SqliteOptions, type SynchronousMode } from './database';
export { SqliteFlowDependencyStore } from './flow-dependency-store';
export { SqliteFlowRepository } from './flow-repository';
export { SqliteKeyValueStore } from './key-value-store';
export { SqliteLogStore } from './log-store';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
export { SqliteStateStore, type SqliteStateStoreOptions, type StateWriteCounts } from './state-store';
export { SqliteTriggerStateStore } from './trigger-state';

export interface SqliteData {
  store: SqliteStateStore;
  flowRepo: SqliteFlowRepository;
  flowDependencies: SqliteFlowDependencyStore;
  ledger: SqliteAttemptLedger;
  logs: SqliteLogStore;
  triggerState: SqliteTriggerStateStore;
  kv: SqliteKeyValueStore;
  wakeUps: SqliteWakeUpStore;
  stranded: SqliteStrandedExecutions;
  /** Resolves once every write made so far is committed (the group commit runs at the end of each turn). */
  durable(): Promise<void>;
  /** Commits what is pending, then closes the database and releases the directory. Idempotent. */
  close(): void;
}

export type OpenSqliteOptions = SqliteOptions & SqliteStateStoreOptions & SqliteAttemptLedgerOptions;

/**
 * Opens the data directory (creating it if needed), takes its lock (DATA_DIR_LOCKED when another
 * process holds it) and migrates its schema (CONFIG_INVALID when it was written by a newer Aloft or
 * is not a database).
 */
export function openSqliteData(dir: string, opts: OpenSqliteOptions = {}): SqliteData {
  const db = SqliteDatabase.open(dir, opts);
  let store: SqliteStateStore;
  try {
    store = new SqliteStateStore(db, opts);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    store,
    flowRepo: new SqliteFlowRepository(db),
    flowDependencies: new SqliteFlowDependencyStore(db),
    ledger: new SqliteAttemptLedger(db, opts),
    logs: new SqliteLogStore(db),
    triggerState: new SqliteTriggerStateStore(db),
    kv: new SqliteKeyValueStore(db),
    wakeUps: new SqliteWakeUpStore(db),
    stranded: new SqliteStrandedExecutions(store),
    durable: () => db.durable(),
    close: () => db.close(),
  };
}
