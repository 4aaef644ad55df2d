import { MemoryStateStore } from '../../lib/adapters/local';
import { stateStoreContract } from './suites/state-store';

stateStoreContract('in memory', async () => ({ store: new MemoryStateStore(), cleanup: async () => undefined }));
