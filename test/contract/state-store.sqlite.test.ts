import type { StateStore } from '../../lib/ports/state-store';
import { tempData, type TempData } from '../unit/adapters/sqlite/temp-data';
import { stateStoreContract } from './suites/state-store';

stateStoreContract('on SQLite', async () => {
  const t = tempData();
  return { store: t.data.store, cleanup: () => t.cleanup() };
});

/** Every call goes to a store opened afresh on the directory, so every read comes back from the database. */
function reopening(t: TempData): StateStore {
  const call = async <T>(op: (store: StateStore) => Promise<T>): Promise<T> => {
    const out = await op(t.data.store);
    t.reopen();
    return out;
  };
  return {
    create: (execution, first) => call((s) => s.create(execution, first)),
    get: (id) => call((s) => s.get(id)),
    getHeader: (id) => call((s) => s.getHeader(id)),
    append: (id, pending) => call((s) => s.append(id, pending)),
    hasPending: (id) => call((s) => s.hasPending(id)),
    transact: (id, fold, now) => call((s) => s.transact(id, fold, now)),
    ackOutbox: (entries) => call((s) => s.ackOutbox(entries)),
    unpublished: (olderThan, limit) => call((s) => s.unpublished(olderThan, limit)),
    list: (filter) => call((s) => s.list(filter)),
    tokenAfter: (filter, n) => call((s) => s.tokenAfter(filter, n)),
    claimSlot: (claim) => call((s) => s.claimSlot(claim)),
    releaseSlot: (release) => call((s) => s.releaseSlot(release)),
    flowSlots: (namespace, flowId) => call((s) => s.flowSlots(namespace, flowId)),
    count: (filter) => call((s) => s.count(filter)),
    delete: (id) => call((s) => s.delete(id)),
  };
}

stateStoreContract('on SQLite, reopened after every call', async () => {
  const t = tempData();
  return { store: reopening(t), cleanup: () => t.cleanup() };
});
