// Flow concurrency slots in memory (the StateStore's claimSlot/releaseSlot/slots): each operation
// reads and writes its flow's record in one synchronous run, so no other claim interleaves.
import {
  claimSlot, releaseSlot, slotsKey, type SlotClaim, type SlotHolder, type SlotOutcome, type SlotRelease, type SlotsRecord,
} from '../../model/concurrency-slots';
import type { FlowSlots } from '../../ports/state-store';

export class MemoryConcurrencySlots {
  private readonly records = new Map<string, SlotsRecord>();

  claim(claim: SlotClaim): SlotOutcome {
    const key = slotsKey(claim.namespace, claim.flowId);
    const { record, outcome } = claimSlot(this.records.get(key), claim);
    this.records.set(key, record);
    return outcome;
  }

  release(release: SlotRelease): SlotHolder[] {
    const key = slotsKey(release.namespace, release.flowId);
    const { record, promoted } = releaseSlot(this.records.get(key), release.claimId);
    this.records.set(key, record);
    return promoted;
  }

  slots(namespace: string, flowId: string): FlowSlots {
    const r = this.records.get(slotsKey(namespace, flowId));
    return { running: [...(r?.running ?? [])], queued: [...(r?.queued ?? [])] };
  }
}
