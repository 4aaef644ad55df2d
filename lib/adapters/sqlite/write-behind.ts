// What the SQLite state store writes at each group commit: the executions changed since the last
// one (a journal row each, and their `executions` row when new or when their state changed), the
// outbox, the settled executions in batches to the keyed tables, and the long-lived ones checkpointed
// so that the journal can be cut. See state-store.ts for why it is laid out so.
import type { SqliteDatabase } from './database';
import type { ExecutionTables } from './execution-tables';
import { settled, type Slot } from './execution-slot';
import type { ExecutionJournal } from './journal';
import type { OutboxRows } from './outbox-rows';
import type { SlotCache } from './slot-cache';

/** At most this many long-lived executions are written to the tables per commit. */
const CHECKPOINTS_PER_COMMIT = 100;

export interface WriteBehindParts {
  db: SqliteDatabase;
  slots: SlotCache;
  tables: ExecutionTables;
  journal: ExecutionJournal;
  outbox: OutboxRows;
  /** A live execution whose first journal row is this many rows old is written to the tables. */
  journalSpan: number;
  /** Settled executions are written to the tables this many at a time. */
  settleBatch: number;
}

export class WriteBehind {
  private dirty: Slot[] = [];
  /** Settled executions whose tables are still to write (their journal rows hold them until then). */
  private settling: Slot[] = [];

  constructor(private readonly parts: WriteBehindParts) {}

  /** The slot changed: it is written with the next commit, and stays in memory until then. */
  touch(slot: Slot): void {
    slot.changes++;
    if (!slot.dirty) {
      slot.dirty = true;
      this.dirty.push(slot);
      this.parts.slots.keepLive(slot);
    }
    this.parts.db.schedule();
  }

  /** A settled execution found in the journal at open: written to the tables with the next batch. */
  settleLater(slot: Slot): void {
    slot.settling = true;
    this.settling.push(slot);
  }

  /** Writes what changed in memory into the open transaction (the group commit calls this). */
  flush(closing = false): void {
    const { db, outbox, journal, journalSpan } = this.parts;
    const dirty = this.dirty;
    if (dirty.length === 0 && !outbox.changed() && !(closing && this.settling.length > 0)) return;
    db.write();
    this.dirty = [];
    for (const slot of dirty) this.flushSlot(slot);
    outbox.flush();
    // On close, everything settled goes to the tables, so that the next open replays less.
    this.settle(closing);
    journal.cut(closing, journalSpan, CHECKPOINTS_PER_COMMIT, (slot) => this.writeTables(slot));
  }

  private flushSlot(slot: Slot): void {
    slot.dirty = false;
    const execution = slot.execution;
    if (settled(slot) && slot.firstSeq === 0 && slot.fresh === undefined && slot.consumed === undefined) {
      // Nothing journaled (created and ended in one commit, or a settled one folded again).
      this.writeTables(slot);
      this.release(slot);
      return;
    }
    // One journal row per execution per commit, its JSON built from the parts that changed.
    const changed = slot.stored !== execution;
    this.parts.journal.change(slot);
    // A new execution's row carries its first header; a changed state is written to it at once.
    if (slot.rowState === undefined) this.parts.tables.insertRow(slot);
    else if (changed && execution.state.current !== slot.rowState) this.parts.tables.updateRow(slot);
    slot.stored = execution;
    if (settled(slot) && !slot.settling) this.settleLater(slot);
  }

  /**
   * Writes settled executions to the tables, many at a time and in id order: their rows share the
   * pages of the tables' B-trees, which one commit then writes once.
   */
  private settle(all: boolean): void {
    if (this.settling.length === 0 || (!all && this.settling.length < this.parts.settleBatch)) return;
    const slots = this.settling.sort((a, b) => (a.execution.id < b.execution.id ? -1 : 1));
    this.settling = [];
    for (const slot of slots) {
      slot.settling = false;
      // Written as it is now, settled or live again (a restart): either way its journal rows are obsolete.
      if (this.writeTables(slot)) this.release(slot);
    }
  }

  /** The slot leaves memory (for the bounded cache) once the batch that wrote its tables is committed. */
  private release(slot: Slot): void {
    this.parts.slots.releaseAfter(slot, this.parts.db.writeSeq);
  }

  /**
   * Writes the execution's whole state to the keyed tables; its journal rows become obsolete. An
   * ended one whose task runs do not fit in its row is written FAILED instead (runs-limit.ts), and
   * becomes the slot's execution; a live one is not written (false) and stays in the journal.
   */
  private writeTables(slot: Slot): boolean {
    if (!this.parts.tables.write(slot)) {
      slot.unfit = true;
      return false;
    }
    slot.unfit = false;
    slot.stored = slot.execution;
    this.parts.journal.settled(slot);
    return true;
  }
}
