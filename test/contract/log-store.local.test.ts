import { MemoryLogStore } from '../../lib/adapters/local';
import { logStoreContract } from './suites/log-store';

logStoreContract('in memory', async () => ({ logs: new MemoryLogStore(), cleanup: async () => undefined }));
