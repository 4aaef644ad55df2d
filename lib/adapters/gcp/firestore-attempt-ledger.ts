// AttemptLedger on Firestore: attempts/{executionId}:{taskRunId}:{attempt}, claimed with create(),
// which fails when the document exists, so a duplicate delivery never runs an attempt twice.
// Claims, heartbeats and finishes of concurrent invocations share requests (firestore-group-commit.ts).
// `stale` needs the composite index (state ASC, heartbeat ASC) on `attempts` (docs/cloud-model.md).
import type { Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { AttemptClaim, AttemptKey, AttemptLedger } from '../../ports/attempt-ledger';
import { docIdFor, isAlreadyExists, isNotFound, toAloftError } from './firestore-constraints';
import { groupCommit } from './firestore-group-commit';

export interface FirestoreAttemptLedgerOptions {
  firestore: Firestore;
  collectionPrefix?: string;
}

const ClaimDoc = z.object({
  executionId: z.string(), taskRunId: z.string(), attempt: z.number().int().nonnegative(), workerId: z.string(),
  claimedAt: z.string(), heartbeat: z.string(), timeoutMs: z.number().int().positive().optional().nullable(),
  state: z.enum(['RUNNING', 'DONE']),
  suspectedBeat: z.string().optional().nullable(), suspectedAt: z.string().optional().nullable(),
});

const label = (k: AttemptKey): string => `attempt ${k.attempt} of task run ${k.taskRunId} (execution ${k.executionId})`;

export class FirestoreAttemptLedger implements AttemptLedger {
  private readonly db: Firestore;
  private readonly prefix: string;

  constructor(opts: FirestoreAttemptLedgerOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
  }

  private get col() {
    return this.db.collection(`${this.prefix}attempts`);
  }

  private ref(k: AttemptKey) {
    return this.col.doc(docIdFor(`${k.executionId}:${k.taskRunId}:${k.attempt}`));
  }

  async claim(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): Promise<boolean> {
    const at = now.toISOString();
    try {
      await groupCommit(this.db).create(this.ref(key), {
        executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, workerId, claimedAt: at, heartbeat: at,
        timeoutMs: timeoutMs ?? null, state: 'RUNNING',
      });
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw toAloftError(err, `claiming ${label(key)}`);
    }
  }

  async heartbeat(key: AttemptKey, now: Date): Promise<void> {
    try {
      // A plain update: a heartbeat that lands after finish() only moves the time of a DONE claim,
      // which `stale` never reports.
      await groupCommit(this.db).update(this.ref(key), { heartbeat: now.toISOString() });
    } catch (err) {
      if (isNotFound(err)) return;
      throw toAloftError(err, `heartbeat of ${label(key)}`);
    }
  }

  async finish(key: AttemptKey, now: Date): Promise<void> {
    const at = now.toISOString();
    try {
      // merge keeps the claim's fields; an unclaimed attempt is still recorded, so that a late
      // duplicate delivery cannot claim it.
      await groupCommit(this.db).set(this.ref(key), {
        executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, state: 'DONE', heartbeat: at, finishedAt: at,
      }, { merge: true });
    } catch (err) {
      throw toAloftError(err, `finishing ${label(key)}`);
    }
  }

  async refuse(key: AttemptKey, now: Date): Promise<void> {
    const at = now.toISOString();
    try {
      // create(): a claim made first wins, and the attempt keeps running as claimed.
      await groupCommit(this.db).create(this.ref(key), {
        executionId: key.executionId, taskRunId: key.taskRunId, attempt: key.attempt, state: 'DONE', heartbeat: at, finishedAt: at, refusedAt: at,
      });
    } catch (err) {
      if (isAlreadyExists(err)) return;
      throw toAloftError(err, `refusing ${label(key)}`);
    }
  }

  async suspect(key: AttemptKey, heartbeat: string, now: Date): Promise<void> {
    try {
      // Fields of their own: a heartbeat landing at the same time updates another field, and wins.
      await groupCommit(this.db).update(this.ref(key), { suspectedBeat: heartbeat, suspectedAt: now.toISOString() });
    } catch (err) {
      if (isNotFound(err)) return;
      throw toAloftError(err, `suspecting ${label(key)}`);
    }
  }

  async stale(olderThan: Date, limit: number): Promise<AttemptClaim[]> {
    try {
      const snap = await this.col.where('state', '==', 'RUNNING').where('heartbeat', '<', olderThan.toISOString())
        .orderBy('heartbeat').limit(limit).get();
      return snap.docs.flatMap((d) => {
        const doc = ClaimDoc.safeParse(d.data());
        // A claim the ledger cannot read is reported by its document name, not silently skipped.
        if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${d.ref.path}`);
        const { timeoutMs, suspectedBeat, suspectedAt, ...rest } = doc.data;
        return [{
          ...rest, ...(timeoutMs != null ? { timeoutMs } : {}),
          ...(suspectedBeat != null && suspectedAt != null ? { suspected: { heartbeat: suspectedBeat, at: suspectedAt } } : {}),
        }];
      });
    } catch (err) {
      throw toAloftError(err, 'finding stale attempts');
    }
  }
}
