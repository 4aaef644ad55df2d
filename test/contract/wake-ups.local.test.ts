import { MemoryWakeUpStore } from '../../lib/adapters/local';
import { wakeUpStoreContract } from './suites/wake-ups';

wakeUpStoreContract('in memory', async () => ({ store: new MemoryWakeUpStore(), cleanup: async () => undefined }));
