// What the embedded runtime's periodic recovery sweep sees of its stores: this process's own work
// in flight is left out, since the process knows it is alive.
import type { InProcessAttempts } from '../core/worker-handler';
import type { EmbeddedAdapters } from './adapters';

/** The store, with the outbox entries of worker tasks waiting in the in-process queue left out. */
export function unqueuedOutbox(store: EmbeddedAdapters['store'], queued: ReadonlySet<string>): EmbeddedAdapters['store'] {
  return Object.assign(Object.create(store) as EmbeddedAdapters['store'], {
    unpublished: async (olderThan: Date, limit: number) => (await store.unpublished(olderThan, limit + queued.size)).filter((e) => !queued.has(e.id)).slice(0, limit),
  });
}

/**
 * The ledger, with the claims of attempts running in this process left out of `stale`: this process
 * knows they are alive, however late their heartbeats are when its event loop is busy. Only a dead
 * process loses attempts here, and the next one finds them at start (recoverAtStart).
 */
export function othersClaims(ledger: EmbeddedAdapters['ledger'], workerId: string, running: InProcessAttempts): EmbeddedAdapters['ledger'] {
  return Object.assign(Object.create(ledger) as EmbeddedAdapters['ledger'], {
    stale: async (olderThan: Date, limit: number) =>
      (await ledger.stale(olderThan, limit + running.size)).filter((c) => !(c.workerId === workerId && running.has(c))).slice(0, limit),
  });
}
