import { tempData } from '../unit/adapters/sqlite/temp-data';
import { keyValueStoreContract } from './suites/key-value-store';

keyValueStoreContract('on SQLite', async () => {
  const t = tempData();
  return { store: t.data.kv, cleanup: () => t.cleanup() };
});
