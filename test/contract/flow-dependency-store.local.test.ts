import { MemoryFlowDependencyStore } from '../../lib/adapters/local/flow-dependency-store';
import { flowDependencyStoreContract } from './suites/flow-dependency-store';

flowDependencyStoreContract('in memory', async () => ({ store: new MemoryFlowDependencyStore(), cleanup: async () => undefined }));
