// A data directory: the embedded runtime's durable adapters (SQLite, lib/adapters/sqlite) and its
// internal storage folder beside them. Loaded only when asked for, so `aloft run` in memory never
// loads the SQLite driver.
import { resolve } from 'node:path';
import type { EmbeddedAdapters } from './adapters';

export async function openDataDir(dir: string): Promise<EmbeddedAdapters> {
  const { openSqliteData } = await import('../../adapters/sqlite');
  const root = resolve(dir);
  const data = openSqliteData(root);
  return {
    store: data.store, flowRepo: data.flowRepo, flowDependencies: data.flowDependencies, ledger: data.ledger, logs: data.logs, triggerState: data.triggerState, kv: data.kv,
    wakeUpStore: data.wakeUps, stranded: data.stranded,
    persistent: true, dataDir: root,
    durable: () => data.durable(),
    close: async () => data.close(),
  };
}
