import { MemoryExecutionLease, MemoryStateStore, MemoryStrandedExecutions } from '../../lib/adapters/local';
import { strandedExecutionsContract } from './suites/stranded-executions';

strandedExecutionsContract('in memory', async () => {
  const store = new MemoryStateStore();
  const lease = new MemoryExecutionLease();
  return { store, lease, stranded: new MemoryStrandedExecutions(store, lease), cleanup: async () => undefined };
});
