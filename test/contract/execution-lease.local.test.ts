import { MemoryExecutionLease } from '../../lib/adapters/local';
import { executionLeaseContract } from './suites/execution-lease';

executionLeaseContract('in memory', async () => ({ lease: new MemoryExecutionLease(), cleanup: async () => undefined }));
