// TriggerStateStore on Firestore:
//   triggers/{triggerKey}                         the last fired (or baseline) date of a schedule
//   triggers/{triggerKey}/windows/{conditionId}   the open window of a MultipleCondition
//   triggers/{triggerKey}/poll/state              what a polling trigger kept after its last poll
// Changes are compare-and-set writes guarded by the document's update time (create() when absent),
// retried on a lost race. That gives the transaction's guarantee without its locks: the Firestore
// emulator fails concurrent transactions on one document with ABORTED at a concurrency of 10.
import type { DocumentReference, Firestore, WriteResult } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { ConditionWindow, PollState, TriggerStateStore, WindowFold } from '../../ports/trigger-state';
import { MAX_WRITES, chunks, docIdFor, isAlreadyExists, isFailedPrecondition, isNotFound, toAloftError } from './firestore-constraints';

export interface FirestoreTriggerStateOptions {
  firestore: Firestore;
  collectionPrefix?: string;
  /** Lost races before CONFLICT is reported. Default 50. */
  maxAttempts?: number;
}

const WindowDoc = z.object({ start: z.string(), end: z.string(), results: z.record(z.string(), z.boolean()) });

const iso = (date: string): string => {
  const t = Date.parse(date);
  if (Number.isNaN(t)) throw new AloftError(ErrorCode.INPUT_INVALID, `not a date: ${date}`);
  return new Date(t).toISOString();
};

export class FirestoreTriggerStateStore implements TriggerStateStore {
  private readonly db: Firestore;
  private readonly prefix: string;
  private readonly maxAttempts: number;

  constructor(opts: FirestoreTriggerStateOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
    this.maxAttempts = opts.maxAttempts ?? 50;
  }

  private ref(triggerKey: string) {
    return this.db.collection(`${this.prefix}triggers`).doc(docIdFor(triggerKey));
  }

  private windowRef(triggerKey: string, conditionId: string) {
    return this.ref(triggerKey).collection('windows').doc(docIdFor(conditionId));
  }

  private pollRef(triggerKey: string) {
    return this.ref(triggerKey).collection('poll').doc('state');
  }

  async getLastDate(triggerKey: string): Promise<string | undefined> {
    try {
      const snap = await this.ref(triggerKey).get();
      const last = snap.exists ? snap.get('lastDate') : undefined;
      return typeof last === 'string' ? last : undefined;
    } catch (err) {
      throw toAloftError(err, `reading trigger ${triggerKey}`);
    }
  }

  async initSchedule(triggerKey: string, date: string): Promise<boolean> {
    try {
      await this.ref(triggerKey).create({ triggerKey, lastDate: iso(date) });
      return true;
    } catch (err) {
      if (isAlreadyExists(err)) return false;
      throw toAloftError(err, `initialising trigger ${triggerKey}`);
    }
  }

  async claimScheduleDate(triggerKey: string, date: string): Promise<boolean> {
    const claimed = iso(date);
    const ref = this.ref(triggerKey);
    return this.casLoop(`claiming ${claimed} for trigger ${triggerKey}`, async () => {
      const snap = await ref.get();
      const last = snap.exists ? snap.get('lastDate') : undefined;
      if (typeof last === 'string' && Date.parse(last) >= Date.parse(claimed)) return { done: true, value: false };
      if (!snap.exists) await ref.create({ triggerKey, lastDate: claimed });
      else await ref.update({ lastDate: claimed }, { lastUpdateTime: snap.updateTime! });
      return { done: true, value: true };
    });
  }

  async updateWindow<T>(triggerKey: string, conditionId: string, fold: (current: ConditionWindow | null) => WindowFold<T>): Promise<T> {
    const ref = this.windowRef(triggerKey, conditionId);
    return this.casLoop(`updating window ${conditionId} of trigger ${triggerKey}`, async () => {
      const snap = await ref.get();
      const current = snap.exists ? this.decode(snap.data(), ref) : null;
      const out = fold(current);
      if (out.next === null) {
        if (snap.exists) await ref.delete({ lastUpdateTime: snap.updateTime! });
      } else {
        const next = WindowDoc.parse(out.next);
        const write: Promise<WriteResult> = snap.exists ? ref.update(next, { lastUpdateTime: snap.updateTime! }) : ref.create(next);
        await write;
      }
      return { done: true, value: out.result };
    });
  }

  async getWindow(triggerKey: string, conditionId: string): Promise<ConditionWindow | null> {
    const ref = this.windowRef(triggerKey, conditionId);
    try {
      const snap = await ref.get();
      return snap.exists ? this.decode(snap.data(), ref) : null;
    } catch (err) {
      throw toAloftError(err, `reading window ${conditionId} of trigger ${triggerKey}`);
    }
  }

  async getPollState(triggerKey: string): Promise<PollState | null> {
    try {
      const snap = await this.pollRef(triggerKey).get();
      return snap.exists ? this.decodePoll(snap.get('json'), snap.ref) : null;
    } catch (err) {
      throw toAloftError(err, `reading the poll state of trigger ${triggerKey}`);
    }
  }

  async updatePollState(triggerKey: string, fold: (current: PollState | null) => PollState | null): Promise<void> {
    const ref = this.pollRef(triggerKey);
    await this.casLoop(`updating the poll state of trigger ${triggerKey}`, async () => {
      const snap = await ref.get();
      const next = fold(snap.exists ? this.decodePoll(snap.get('json'), ref) : null);
      // Kept as one JSON string: a state's keys are object names, which Firestore field paths refuse.
      if (next === null) {
        if (snap.exists) await ref.delete({ lastUpdateTime: snap.updateTime! });
      } else if (snap.exists) {
        await ref.update({ json: JSON.stringify(next) }, { lastUpdateTime: snap.updateTime! });
      } else {
        await ref.create({ json: JSON.stringify(next) });
      }
      return { done: true, value: undefined };
    });
  }

  async deleteTrigger(triggerKey: string): Promise<void> {
    try {
      const windows = await this.ref(triggerKey).collection('windows').select().get();
      const refs = [this.ref(triggerKey), this.pollRef(triggerKey), ...windows.docs.map((d) => d.ref)];
      for (const part of chunks(refs, MAX_WRITES)) {
        const batch = this.db.batch();
        for (const r of part) batch.delete(r);
        await batch.commit();
      }
    } catch (err) {
      throw toAloftError(err, `deleting trigger ${triggerKey}`);
    }
  }

  private decode(data: unknown, ref: DocumentReference): ConditionWindow {
    const doc = WindowDoc.safeParse(data);
    if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${ref.path}`);
    return { start: doc.data.start, end: doc.data.end, results: { ...doc.data.results } };
  }

  private decodePoll(json: unknown, ref: DocumentReference): PollState {
    try {
      const state: unknown = typeof json === 'string' ? JSON.parse(json) : undefined;
      if (state && typeof state === 'object' && !Array.isArray(state)) return state as PollState;
    } catch { /* reported below */ }
    throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${ref.path}`);
  }

  /** Runs a read-then-guarded-write step until its write is not beaten by another writer. */
  private async casLoop<T>(what: string, step: () => Promise<{ done: true; value: T }>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await step()).value;
      } catch (err) {
        const lostRace = isAlreadyExists(err) || isFailedPrecondition(err) || isNotFound(err);
        if (!lostRace) throw toAloftError(err, what);
        if (attempt >= this.maxAttempts) throw new AloftError(ErrorCode.CONFLICT, `${what}: lost ${attempt} races in a row`);
      }
    }
  }
}
