import { tempData } from '../unit/adapters/sqlite/temp-data';
import { flowDependencyStoreContract } from './suites/flow-dependency-store';

flowDependencyStoreContract('on SQLite', async () => {
  const t = tempData();
  return { store: t.data.flowDependencies, reopen: () => t.reopen().flowDependencies, cleanup: () => t.cleanup() };
});
