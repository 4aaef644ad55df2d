// A flow's concurrency slots (its `concurrency.limit`): which executions hold one and which wait for
// one, oldest first. Every store keeps one such record per flow and changes it with these pure
// functions inside one transaction, so that no race lets limit + 1 executions run.
//
// Terms: a claim asks for a slot for one execution (`claimId` names the claim: an execution claims
// again when it is restarted); a holder is a claim that got a slot; a release gives it back, or
// withdraws a claim still waiting, and promotes the oldest waiting claims into the slots freed.
import { z } from 'zod';

export const SlotHolder = z.object({ executionId: z.string(), claimId: z.string() });
export type SlotHolder = z.infer<typeof SlotHolder>;

/** What a claim got: a slot, a place in the queue, or nothing (the flow's behavior is CANCEL or FAIL). */
export const SlotOutcome = z.enum(['RUNNING', 'QUEUED', 'FULL']);
export type SlotOutcome = z.infer<typeof SlotOutcome>;

export interface SlotClaim extends SlotHolder {
  namespace: string;
  flowId: string;
  limit: number;
  /** Wait in the queue when every slot is taken (behavior QUEUE). */
  queue: boolean;
}

export interface SlotRelease {
  namespace: string;
  flowId: string;
  claimId: string;
}

/** Releases remembered per flow, so that a release carried out again returns what it promoted the first time. */
export const RELEASES_KEPT = 200;

export const SlotsRecord = z.object({
  /** The limit of the latest claim (a new flow revision may change it). */
  limit: z.number().int().positive(),
  running: z.array(SlotHolder),
  queued: z.array(SlotHolder),
  released: z.array(z.object({ claimId: z.string(), promoted: z.array(SlotHolder) })),
});
export type SlotsRecord = z.infer<typeof SlotsRecord>;

export const emptySlots = (limit: number): SlotsRecord => ({ limit, running: [], queued: [], released: [] });

/** A claim, applied to the flow's record (undefined for none yet). Claiming again answers the same. */
export function claimSlot(record: SlotsRecord | undefined, claim: SlotClaim): { record: SlotsRecord; outcome: SlotOutcome } {
  const r = record ?? emptySlots(claim.limit);
  if (r.running.some((h) => h.claimId === claim.claimId)) return { record: r, outcome: 'RUNNING' };
  if (r.queued.some((h) => h.claimId === claim.claimId)) return { record: r, outcome: 'QUEUED' };
  // Released before the claim was carried out (the execution was killed while it waited): no slot.
  if (r.released.some((x) => x.claimId === claim.claimId)) return { record: r, outcome: 'FULL' };
  const holder = { executionId: claim.executionId, claimId: claim.claimId };
  const next = { ...r, limit: claim.limit };
  if (r.running.length < claim.limit) return { record: { ...next, running: [...r.running, holder] }, outcome: 'RUNNING' };
  if (claim.queue) return { record: { ...next, queued: [...r.queued, holder] }, outcome: 'QUEUED' };
  return { record: next, outcome: 'FULL' };
}

/** A release, applied to the flow's record: the claims promoted from the queue into freed slots, oldest first. */
export function releaseSlot(record: SlotsRecord | undefined, claimId: string): { record: SlotsRecord; promoted: SlotHolder[] } {
  // Nothing claimed yet: the release is still remembered, so that a claim it overtook gets no slot
  // (the next claim sets the limit).
  if (!record) return { record: { ...emptySlots(1), released: [{ claimId, promoted: [] }] }, promoted: [] };
  const before = record.released.find((x) => x.claimId === claimId);
  if (before) return { record, promoted: before.promoted };
  const running = record.running.filter((h) => h.claimId !== claimId);
  const queued = record.queued.filter((h) => h.claimId !== claimId);
  const promoted: SlotHolder[] = [];
  while (running.length < record.limit && queued.length > 0) {
    const next = queued.shift()!;
    running.push(next);
    promoted.push(next);
  }
  const released = [...record.released, { claimId, promoted }].slice(-RELEASES_KEPT);
  return { record: { ...record, running, queued, released }, promoted };
}

/** The store key of a flow's record. */
export const slotsKey = (namespace: string, flowId: string): string => `${namespace}:${flowId}`;
