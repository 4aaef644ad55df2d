import { tempData } from '../unit/adapters/sqlite/temp-data';
import { logStoreContract } from './suites/log-store';

logStoreContract('on SQLite', async () => {
  const t = tempData();
  return { logs: t.data.logs, cleanup: () => t.cleanup() };
});
