import { tempData } from '../unit/adapters/sqlite/temp-data';
import { wakeUpStoreContract } from './suites/wake-ups';

wakeUpStoreContract('on SQLite', async () => {
  const t = tempData();
  return { store: t.data.wakeUps, cleanup: () => t.cleanup() };
});
