import { MemoryAttemptStops } from '../../lib/adapters/local';
import { attemptStopStoreContract } from './suites/attempt-stops';

attemptStopStoreContract('in memory', async () => ({ stops: new MemoryAttemptStops(), cleanup: async () => undefined }));
