import { MemoryStateStore } from '../../lib/adapters/local';
import { loneEventsContract } from './suites/lone-events';

loneEventsContract('in memory', async () => ({ store: new MemoryStateStore(), cleanup: async () => undefined }));
