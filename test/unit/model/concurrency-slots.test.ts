import { RELEASES_KEPT, claimSlot, releaseSlot, type SlotClaim, type SlotsRecord } from '../../../lib/model/concurrency-slots';

const claimOf = (n: number, over: Partial<SlotClaim> = {}): SlotClaim => ({
  namespace: 'ns', flowId: 'f', executionId: `e${n}`, claimId: `c${n}`, limit: 1, queue: true, ...over,
});

/** Applies claims in order; the record and every outcome. */
function claims(ns: number[], over: Partial<SlotClaim> = {}): { record: SlotsRecord; outcomes: string[] } {
  let record: SlotsRecord | undefined;
  const outcomes: string[] = [];
  for (const n of ns) {
    const out = claimSlot(record, claimOf(n, over));
    record = out.record;
    outcomes.push(out.outcome);
  }
  return { record: record!, outcomes };
}

describe('concurrency slots', () => {
  it('takes the limit of the latest claim, so a new flow revision can raise it', () => {
    const { record } = claims([1, 2], { limit: 1 });
    expect(record.queued.map((h) => h.executionId)).toEqual(['e2']);
    const raised = claimSlot(record, claimOf(3, { limit: 3 }));
    expect(raised.outcome).toBe('RUNNING');
    expect(raised.record.limit).toBe(3);
    // A release now fills every free slot from the queue.
    expect(releaseSlot(raised.record, 'c1').promoted.map((h) => h.executionId)).toEqual(['e2']);
  });

  it('promotes nobody while the running claims still fill a lowered limit', () => {
    const { record } = claims([1, 2, 3], { limit: 2 });
    const lowered = claimSlot(record, claimOf(4, { limit: 1 })).record;
    expect(releaseSlot(lowered, 'c1').promoted).toEqual([]);
  });

  it('remembers a bounded number of releases', () => {
    let { record } = claims([0]);
    for (let i = 1; i <= RELEASES_KEPT + 5; i++) record = releaseSlot(record, `gone${i}`).record;
    expect(record.released).toHaveLength(RELEASES_KEPT);
    expect(record.released[0].claimId).toBe('gone6');
  });

  it('leaves its input record unchanged', () => {
    const { record } = claims([1, 2]);
    const copy = JSON.parse(JSON.stringify(record));
    releaseSlot(record, 'c1');
    claimSlot(record, claimOf(3));
    expect(record).toEqual(copy);
  });
});
