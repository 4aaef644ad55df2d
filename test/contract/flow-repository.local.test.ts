import { MemoryFlowRepository } from '../../lib/adapters/local';
import { flowRepositoryContract } from './suites/flow-repository';

flowRepositoryContract('in memory', async () => ({ repo: new MemoryFlowRepository(), cleanup: async () => undefined }));
