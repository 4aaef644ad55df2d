import { tempData } from '../unit/adapters/sqlite/temp-data';
import { triggerStateContract } from './suites/trigger-state';

triggerStateContract('on SQLite', async () => {
  const t = tempData();
  return { store: t.data.triggerState, cleanup: () => t.cleanup() };
});
