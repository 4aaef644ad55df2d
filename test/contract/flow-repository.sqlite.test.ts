import { tempData } from '../unit/adapters/sqlite/temp-data';
import { flowRepositoryContract } from './suites/flow-repository';

flowRepositoryContract('on SQLite', async () => {
  const t = tempData();
  return { repo: t.data.flowRepo, cleanup: () => t.cleanup() };
});
