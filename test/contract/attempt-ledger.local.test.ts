import { MemoryAttemptLedger } from '../../lib/adapters/local';
import { attemptLedgerContract } from './suites/attempt-ledger';

attemptLedgerContract('in memory', async () => ({ ledger: new MemoryAttemptLedger(), cleanup: async () => undefined }));
