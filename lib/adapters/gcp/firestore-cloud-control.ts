// The cloud runtime's bookkeeping beside execution state (lib/ports/cloud-control.ts), on Firestore:
//   {prefix}wakeups/{id}        wake-ups due at `dueAtMs`, fired and deleted by the scheduler
//   {prefix}attemptStops/{id}   "stop this attempt" requests, polled by the worker while it runs it
// and the query for stranded executions: pending inbox events older than a threshold (a collection
// group query on `inbox`) and leases whose holder died (expired `leases/{executionId}`).
// Single-document reads and writes go through the group commit (firestore-group-commit.ts): the
// stop-request polls of the attempts running in one instance share requests.
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { WakeUpReason } from '../../model/events';
import type { AttemptKey } from '../../ports/attempt-ledger';
import type { AttemptStopStore, StrandedExecutions, WakeUpRecord, WakeUpStore } from '../../ports/cloud-control';
import { firestoreLib } from './clients';
import { docIdFor, isNotFound, toAloftError } from './firestore-constraints';
import { groupCommit } from './firestore-group-commit';

export interface FirestoreCloudControlOptions {
  firestore: Firestore;
  collectionPrefix?: string;
  /** How long a stop request is kept (the `expireAt` TTL field). Default 7 days. */
  stopTtlMs?: number;
}

const WakeUpDoc = z.object({
  id: z.string(), executionId: z.string(), taskRunId: z.string(), at: z.string(),
  reason: WakeUpReason,
});

export class FirestoreWakeUpStore implements WakeUpStore {
  constructor(private readonly opts: FirestoreCloudControlOptions) {}

  private get col() {
    return this.opts.firestore.collection(`${this.opts.collectionPrefix ?? ''}wakeups`);
  }

  async put(w: WakeUpRecord): Promise<void> {
    try {
      await groupCommit(this.opts.firestore).set(this.col.doc(docIdFor(w.id)), { ...w, dueAtMs: Date.parse(w.at) });
    } catch (err) {
      throw toAloftError(err, `storing wake-up ${w.id}`);
    }
  }

  async due(now: Date, limit: number): Promise<WakeUpRecord[]> {
    try {
      const snap = await this.col.where('dueAtMs', '<=', now.getTime()).orderBy('dueAtMs').limit(limit).get();
      return snap.docs.flatMap((d) => {
        const parsed = WakeUpDoc.safeParse(d.data());
        return parsed.success ? [parsed.data] : [];
      });
    } catch (err) {
      throw toAloftError(err, 'reading due wake-ups');
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await groupCommit(this.opts.firestore).delete(this.col.doc(docIdFor(id)));
    } catch (err) {
      if (!isNotFound(err)) throw toAloftError(err, `deleting wake-up ${id}`);
    }
  }
}

const stopId = (k: AttemptKey): string => `${k.executionId}:${k.taskRunId}:${k.attempt}`;

export class FirestoreAttemptStops implements AttemptStopStore {
  constructor(private readonly opts: FirestoreCloudControlOptions) {}

  private ref(k: AttemptKey) {
    return this.opts.firestore.collection(`${this.opts.collectionPrefix ?? ''}attemptStops`).doc(docIdFor(stopId(k)));
  }

  async request(k: AttemptKey, now: Date): Promise<void> {
    try {
      await groupCommit(this.opts.firestore).set(this.ref(k), {
        ...k, requestedAt: now.toISOString(), expireAt: firestoreLib().Timestamp.fromMillis(now.getTime() + (this.opts.stopTtlMs ?? 7 * 86_400_000)),
      });
    } catch (err) {
      throw toAloftError(err, `requesting a stop of attempt ${stopId(k)}`);
    }
  }

  async requested(k: AttemptKey): Promise<boolean> {
    try {
      return (await groupCommit(this.opts.firestore).get(this.ref(k))).exists;
    } catch (err) {
      throw toAloftError(err, `reading the stop request of attempt ${stopId(k)}`);
    }
  }
}

export class FirestoreStrandedExecutions implements StrandedExecutions {
  constructor(private readonly opts: FirestoreCloudControlOptions) {}

  async find(olderThan: Date, now: Date, limit: number): Promise<string[]> {
    const prefix = this.opts.collectionPrefix ?? '';
    const db = this.opts.firestore;
    try {
      const [events, leases] = await Promise.all([
        // Needs a collection-group index on inbox (consumed, appendedAt) in production.
        db.collectionGroup('inbox').where('consumed', '==', false).where('appendedAt', '<', firestoreLib().Timestamp.fromDate(olderThan)).limit(limit).select().get(),
        db.collection(`${prefix}leases`).where('expiresAtMs', '<', now.getTime()).limit(limit).select('executionId').get(),
      ]);
      const ids = new Set<string>();
      for (const d of events.docs) {
        // executions/{id}/inbox/{key}: other prefixes share the collection group, so check the parent's name.
        const execution = d.ref.parent.parent;
        if (execution && execution.parent.id === `${prefix}executions`) ids.add(execution.id);
      }
      for (const d of leases.docs) {
        const id = d.get('executionId');
        if (typeof id === 'string') ids.add(id);
      }
      return [...ids].slice(0, limit);
    } catch (err) {
      throw toAloftError(err, 'looking for stranded executions');
    }
  }
}
