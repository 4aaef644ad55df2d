import { tempData } from '../unit/adapters/sqlite/temp-data';
import { attemptLedgerContract } from './suites/attempt-ledger';

attemptLedgerContract('on SQLite', async () => {
  const t = tempData();
  return { ledger: t.data.ledger, cleanup: () => t.cleanup() };
});
