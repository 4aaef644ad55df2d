// Flow concurrency slots on Firestore (the StateStore's claimSlot/releaseSlot/flowSlots): one document
// per flow, `concurrency/{namespace}:{flowId}`, holding lib/model/concurrency-slots.ts's record as
// JSON. Every claim and release is one transaction on that document, so concurrent claims from many
// executor instances never hand out more than `limit` slots (the loser of a race reads again).
// One document per flow also bounds the rate: about one claim or release per second sustained per
// flow, which is what a flow with a concurrency limit runs anyway.
import type { Firestore } from '@google-cloud/firestore';
import {
  claimSlot, releaseSlot, slotsKey, SlotsRecord, type SlotClaim, type SlotHolder, type SlotOutcome, type SlotRelease,
} from '../../model/concurrency-slots';
import type { FlowSlots } from '../../ports/state-store';
import { docIdFor, jsonField, parseJsonField, toAloftError } from './firestore-constraints';

export interface FirestoreConcurrencySlotsOptions {
  firestore: Firestore;
  collectionPrefix?: string;
  /** Attempts of one transaction before CONFLICT is reported. Default 10: claims of one flow contend by design. */
  maxTransactionAttempts?: number;
}

export class FirestoreConcurrencySlots {
  constructor(private readonly opts: FirestoreConcurrencySlotsOptions) {}

  private ref(key: string) {
    return this.opts.firestore.collection(`${this.opts.collectionPrefix ?? ''}concurrency`).doc(docIdFor(key));
  }

  async claim(claim: SlotClaim): Promise<SlotOutcome> {
    const key = slotsKey(claim.namespace, claim.flowId);
    return this.change(key, `claiming a concurrency slot of flow ${claim.namespace}.${claim.flowId}`, (r) => {
      const { record, outcome } = claimSlot(r, claim);
      return { record, out: outcome };
    });
  }

  async release(release: SlotRelease): Promise<SlotHolder[]> {
    const key = slotsKey(release.namespace, release.flowId);
    return this.change(key, `releasing a concurrency slot of flow ${release.namespace}.${release.flowId}`, (r) => {
      const { record, promoted } = releaseSlot(r, release.claimId);
      return { record, out: promoted };
    });
  }

  async slots(namespace: string, flowId: string): Promise<FlowSlots> {
    const key = slotsKey(namespace, flowId);
    try {
      const snap = await this.ref(key).get();
      const r = snap.exists ? parseJsonField(SlotsRecord, snap.get('data'), snap.ref.path) : undefined;
      return { running: r?.running ?? [], queued: r?.queued ?? [] };
    } catch (err) {
      throw toAloftError(err, `reading the concurrency slots of flow ${namespace}.${flowId}`);
    }
  }

  /** Reads the flow's record, applies `op` and writes the result, in one transaction. */
  private async change<T>(key: string, what: string, op: (r: SlotsRecord | undefined) => { record: SlotsRecord; out: T }): Promise<T> {
    const ref = this.ref(key);
    try {
      return await this.opts.firestore.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const before = snap.exists ? parseJsonField(SlotsRecord, snap.get('data'), ref.path) : undefined;
        const { record, out } = op(before);
        if (record !== before) tx.set(ref, { key, data: jsonField(record, `the concurrency slots of flow ${key}`) });
        return out;
      }, { maxAttempts: this.opts.maxTransactionAttempts ?? 10 });
    } catch (err) {
      throw toAloftError(err, what, { abortedIsConflict: true });
    }
  }
}
