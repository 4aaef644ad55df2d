// A short per-execution lease, so that many results landing at once (a Parallel of 200 branches) do
// not become a storm of transactions on one execution header. The Firestore emulator already fails
// concurrent transactions on one document with ABORTED at a concurrency of 10.
//
// leases/{executionId} is taken with create() (which fails while it exists), given up with a delete
// guarded by the lease's update time, and taken over with an update guarded the same way once it has
// expired. The protocol around it (fold every pending event, release, then check again) is the cloud
// executor's.
import type { Firestore, Timestamp } from '@google-cloud/firestore';
import { AloftError, ErrorCode } from '../../model/errors';
import { firestoreLib } from './clients';
import { docIdFor, isAlreadyExists, isFailedPrecondition, isNotFound, toAloftError } from './firestore-constraints';
import type { ExecutionLease, LeaseHandle } from '../../ports/execution-lease';

export type { ExecutionLease, LeaseHandle } from '../../ports/execution-lease';

export interface FirestoreExecutionLeaseOptions {
  firestore: Firestore;
  collectionPrefix?: string;
}

const tokenOf = (t: Timestamp): string => `${t.seconds}:${t.nanoseconds}`;

function timestampOf(token: string): Timestamp {
  const m = /^(-?\d+):(\d+)$/.exec(token);
  if (!m) throw new AloftError(ErrorCode.INTERNAL, `invalid lease token ${token}`);
  return new (firestoreLib().Timestamp)(Number(m[1]), Number(m[2]));
}

export class FirestoreExecutionLease implements ExecutionLease {
  private readonly db: Firestore;
  private readonly prefix: string;

  constructor(opts: FirestoreExecutionLeaseOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
  }

  private ref(executionId: string) {
    return this.db.collection(`${this.prefix}leases`).doc(docIdFor(executionId));
  }

  private fields(executionId: string, holder: string, now: Date, ttlMs: number) {
    const expires = now.getTime() + ttlMs;
    // expireAt lets a Firestore TTL policy remove leases that a crashed holder left behind.
    return { executionId, holder, acquiredAt: now.toISOString(), expiresAtMs: expires, expireAt: firestoreLib().Timestamp.fromMillis(expires + 3600_000) };
  }

  async acquire(executionId: string, holder: string, now: Date, ttlMs: number): Promise<LeaseHandle | null> {
    const ref = this.ref(executionId);
    const fields = this.fields(executionId, holder, now, ttlMs);
    const handle = (t: Timestamp): LeaseHandle => ({ executionId, holder, expiresAt: new Date(fields.expiresAtMs).toISOString(), token: tokenOf(t) });
    try {
      for (let tries = 0; tries < 3; tries++) {
        try {
          return handle((await ref.create(fields)).writeTime);
        } catch (err) {
          if (!isAlreadyExists(err)) throw err;
        }
        const snap = await ref.get();
        if (!snap.exists) continue; // released in between: try to create it again
        const expiresAtMs = Number(snap.get('expiresAtMs'));
        if (Number.isFinite(expiresAtMs) && expiresAtMs > now.getTime()) return null;
        try {
          // Take over an expired lease only if nobody else did since we read it.
          return handle((await ref.update(fields, { lastUpdateTime: snap.updateTime! })).writeTime);
        } catch (err) {
          if (isFailedPrecondition(err)) return null;
          if (!isNotFound(err)) throw err;
        }
      }
      return null;
    } catch (err) {
      throw toAloftError(err, `taking the lease of execution ${executionId}`);
    }
  }

  async release(lease: LeaseHandle): Promise<void> {
    try {
      await this.ref(lease.executionId).delete({ lastUpdateTime: timestampOf(lease.token) });
    } catch (err) {
      if (isFailedPrecondition(err) || isNotFound(err)) return;
      throw toAloftError(err, `releasing the lease of execution ${lease.executionId}`);
    }
  }
}
