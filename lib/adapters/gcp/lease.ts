// A short per-execution lease, so that many results landing at once (a Parallel of 200 branches) do
// not become a storm of transactions on one execution header. The Firestore emulator already fails
// concurrent transactions on one document with ABORTED at a concurrency of 10.
//
// leases/{executionId} is taken with create() (which fails while it exists), given up with a delete
// guarded by the lease's update time, and taken over with an update guarded the same way once it has
// expired. drainUnderLease() is the protocol around it: the holder folds every pending event, releases,
// then checks again, so an event appended while it held the lease is never stranded.
import type { Firestore, Timestamp } from '@google-cloud/firestore';
import { AloftError, ErrorCode } from '../../model/errors';
import { firestoreLib } from './clients';
import { docIdFor, isAlreadyExists, isFailedPrecondition, isNotFound, toAloftError } from './firestore-support';
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

  async renew(lease: LeaseHandle, now: Date, ttlMs: number): Promise<LeaseHandle | null> {
    const fields = this.fields(lease.executionId, lease.holder, now, ttlMs);
    try {
      const res = await this.ref(lease.executionId).update(fields, { lastUpdateTime: timestampOf(lease.token) });
      return { ...lease, expiresAt: new Date(fields.expiresAtMs).toISOString(), token: tokenOf(res.writeTime) };
    } catch (err) {
      if (isFailedPrecondition(err) || isNotFound(err)) return null;
      throw toAloftError(err, `renewing the lease of execution ${lease.executionId}`);
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

export interface DrainOptions {
  lease: ExecutionLease;
  /** Who drains (an invocation id); recorded in the lease for diagnosis. */
  holder: string;
  /** How long the lease lasts without renewal; renewed after each pass once half of it has gone. Default 60 s. */
  ttlMs?: number;
  now: () => Date;
  /** Passes before giving up the lease to others (the next trigger or the scheduler continues). Default 1000. */
  maxPasses?: number;
}

export interface DrainReport {
  /** Passes run by this caller. */
  passes: number;
  /** Passes that lost a race (CONFLICT) and were retried. */
  conflicts: number;
  /** False when another holder had the lease: it will see this caller's events when it re-checks. */
  leased: boolean;
}

/**
 * Folds an execution's pending events under its lease. `pass` runs one transaction (for example the
 * runtime's executor pass); it runs only while `hasPending` says events wait. Safe to call from every
 * trigger: at most one caller folds at a time, and no event is left behind by a caller that gave up.
 */
export async function drainUnderLease(
  opts: DrainOptions,
  executionId: string,
  hasPending: () => Promise<boolean>,
  pass: () => Promise<unknown>,
): Promise<DrainReport> {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxPasses = opts.maxPasses ?? 1000;
  const report: DrainReport = { passes: 0, conflicts: 0, leased: false };
  while (report.passes < maxPasses) {
    let lease = await opts.lease.acquire(executionId, opts.holder, opts.now(), ttlMs);
    if (!lease) return report;
    report.leased = true;
    try {
      while (report.passes < maxPasses && (await hasPending())) {
        try {
          await pass();
          report.passes++;
        } catch (err) {
          if ((err as { code?: unknown }).code !== ErrorCode.CONFLICT || report.conflicts >= maxPasses) throw err;
          report.conflicts++;
        }
        const now = opts.now();
        if (Date.parse(lease.expiresAt) - now.getTime() < ttlMs / 2) {
          const renewed = await opts.lease.renew(lease, now, ttlMs);
          if (!renewed) return report; // someone took over an expired lease: they drain now
          lease = renewed;
        }
      }
    } finally {
      await opts.lease.release(lease);
    }
    // Events appended while we held the lease were refused a lease of their own: look once more.
    if (!(await hasPending())) return report;
  }
  return report;
}
