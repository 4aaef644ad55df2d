import { MemoryTriggerStateStore } from '../../lib/adapters/local/trigger-state';
import { triggerStateContract } from './suites/trigger-state';

triggerStateContract('in memory', async () => ({ store: new MemoryTriggerStateStore(), cleanup: async () => undefined }));
