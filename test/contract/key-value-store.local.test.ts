import { MemoryKeyValueStore } from '../../lib/adapters/local/key-value-store';
import { keyValueStoreContract } from './suites/key-value-store';

keyValueStoreContract('in memory', async () => ({ store: new MemoryKeyValueStore(), cleanup: async () => undefined }));
