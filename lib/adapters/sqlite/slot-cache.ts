// The executions the SQLite state store holds in memory: every live one (not ended, or with events
// pending, or with writes still to flush), and a bounded cache of recently ended ones.
import { settled, type Slot } from './execution-slot';

export class SlotCache {
  private readonly live = new Map<string, Slot>();
  /** Least recently used first. */
  private readonly ended = new Map<string, Slot>();
  /**
   * Settled executions written to the tables, with the batch that wrote them: they leave the live
   * ones only once it is committed, since reads of the tables see nothing before.
   */
  private releasing: Array<{ slot: Slot; seq: number }> = [];

  constructor(private readonly endedSize: number) {}

  /** The execution from memory: live, else recently ended (then marked most recently used). */
  get(executionId: string): Slot | undefined {
    const live = this.live.get(executionId);
    if (live) return live;
    const ended = this.ended.get(executionId);
    if (ended) {
      this.ended.delete(executionId);
      this.ended.set(executionId, ended);
    }
    return ended;
  }

  hasLive(executionId: string): boolean {
    return this.live.has(executionId);
  }

  setLive(executionId: string, slot: Slot): void {
    this.live.set(executionId, slot);
  }

  /**
   * A changed execution stays in memory until written: the cache of ended ones may drop it (or have
   * dropped it already, when it was read back into a full cache).
   */
  keepLive(slot: Slot): void {
    const id = slot.execution.id;
    if (this.live.get(id) !== slot) {
      this.ended.delete(id);
      this.live.set(id, slot);
    }
  }

  /** A settled execution written to the tables moves to the bounded cache of ended ones. */
  release(slot: Slot): void {
    const id = slot.execution.id;
    if (this.live.get(id) === slot) {
      this.live.delete(id);
      this.remember(id, slot);
    }
  }

  /** Releases the slot once batch `seq`, which wrote its tables, is committed. */
  releaseAfter(slot: Slot, seq: number): void {
    this.releasing.push({ slot, seq });
  }

  /** Batches up to `acked` are committed: their slots are released, unless changed since (written again first). */
  acked(acked: number): void {
    const releasing = this.releasing;
    let i = 0;
    for (; i < releasing.length && releasing[i].seq <= acked; i++) {
      const slot = releasing[i].slot;
      // Its keys are committed now: event_keys answers for them.
      if (slot.sent && slot.sentSeq <= acked) slot.sent = undefined;
      // Released only while its tables are current: changed since (journal rows, keys or a settle
      // still to come, written in a later batch), reads of the tables would miss the change; the
      // settle that writes it again releases it after its own batch.
      if (settled(slot) && !slot.dirty && !slot.settling && slot.firstSeq === 0 && !slot.sent) this.release(slot);
    }
    if (i > 0) this.releasing = releasing.slice(i);
  }

  remember(executionId: string, slot: Slot): void {
    this.ended.set(executionId, slot);
    if (this.ended.size > this.endedSize) {
      const oldest = this.ended.keys().next().value;
      if (oldest !== undefined) this.ended.delete(oldest);
    }
  }

  forget(executionId: string): void {
    this.live.delete(executionId);
    this.ended.delete(executionId);
  }

  liveSlots(): IterableIterator<[string, Slot]> {
    return this.live.entries();
  }
}
