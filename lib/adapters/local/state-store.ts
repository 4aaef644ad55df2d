// In-memory StateStore with Firestore's transact() contract: a version-guarded read-fold-write,
// an inbox idempotent by key and an outbox. Stored objects are treated as immutable and shared
// with callers (no deep clone: the embedded runtime runs tens of thousands of transacts a second).
import type { SlotClaim, SlotHolder, SlotOutcome, SlotRelease } from '../../model/concurrency-slots';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Execution } from '../../model/execution';
import { isTerminal } from '../../model/states';
import {
  assertDeletable, type ExecutionFilter, type ExecutionHeader, type ExecutionPage, type FlowSlots, type OutboxEntry, type PendingEvent,
  type StateStore, type TransactOutcome,
} from '../../ports/state-store';
import { MemoryConcurrencySlots } from './concurrency-slots';

interface Slot {
  execution: Execution;
  /** Events waiting to be folded, oldest first; undefined when none. */
  inbox: PendingEvent[] | undefined;
  /** Every key ever queued for this execution, so a redelivered event is not queued twice. */
  seen: Set<string> | undefined;
  /**
   * The same keys, sealed into one string once the execution ended: an ended execution rarely hears
   * of anything again, and a string is a tenth of a Set's size. Reopened into a Set on the next append.
   */
  sealed: string;
}

// Keys are built from ids and event names; none contains this character.
const SEP = '\u0000';

const NONE: readonly PendingEvent[] = [];

const interrupted = (executionId: string): AloftError =>
  new AloftError(ErrorCode.CONFLICT, `execution ${executionId} has an interrupting event pending: fold everything in order`);

const startOf = (e: Execution): string => e.state.histories[0]?.date ?? '';

export class MemoryStateStore implements StateStore {
  private readonly slots = new Map<string, Slot>();
  /**
   * Insertion order is commit order, so iteration is oldest first. Entries are acknowledged with
   * the very objects transact returned, so a Set avoids hashing an id string per effect.
   */
  private readonly outbox = new Set<OutboxEntry>();
  private lastCommitMs = Number.NaN;
  private lastCommitIso = '';
  private readonly concurrency = new MemoryConcurrencySlots();

  async create(execution: Execution, first: PendingEvent): Promise<void> {
    if (this.slots.has(execution.id)) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${execution.id} already exists`);
    }
    this.slots.set(execution.id, { execution, inbox: [first], seen: new Set([first.key]), sealed: '' });
  }

  async get(executionId: string): Promise<Execution | null> {
    return this.getNow(executionId);
  }

  async getHeader(executionId: string): Promise<ExecutionHeader | null> {
    const execution = this.getNow(executionId);
    if (!execution) return null;
    const { taskRunList: _runs, ...header } = execution;
    return header;
  }

  async append(executionId: string, pending: PendingEvent): Promise<boolean> {
    return this.appendNow(executionId, pending);
  }

  async hasPending(executionId: string): Promise<boolean> {
    return this.hasPendingNow(executionId);
  }

  async transact(
    executionId: string,
    fold: (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null,
    now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    return this.transactNow(executionId, fold, now);
  }

  // The cloud's lone events (lib/runtime/cloud/lone-events.ts LoneEventStore), in memory, for the cloud
  // handlers' unit tests: the Firestore adapter is the one that matters.

  async appendAlone(executionId: string, pending: PendingEvent): Promise<boolean> {
    return this.appendNow(executionId, pending);
  }

  async transactNamed(
    executionId: string, keys: readonly string[],
    fold: (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null, now: Date,
  ): Promise<{ execution: Execution; outbox: OutboxEntry[] } | null> {
    return this.transactNow(executionId, fold, now, keys);
  }

  async ackOutbox(entries: readonly OutboxEntry[]): Promise<void> {
    this.ackOutboxNow(entries);
  }

  // The same operations, synchronously: the embedded runtime calls these on its hot path, where a
  // promise per operation costs more than the operation.

  getNow(executionId: string): Execution | null {
    return this.slots.get(executionId)?.execution ?? null;
  }

  appendNow(executionId: string, pending: PendingEvent): boolean {
    const slot = this.slot(executionId);
    let seen = slot.seen;
    if (!seen) {
      if (slot.sealed.includes(`${SEP}${pending.key}${SEP}`)) return false;
      seen = slot.seen = new Set(slot.sealed.split(SEP));
      seen.delete('');
      slot.sealed = '';
    }
    if (seen.has(pending.key)) return false;
    seen.add(pending.key);
    // Exact sizes for the usual one or two events (a worker's start and result): a push would allocate 17 slots.
    const inbox = slot.inbox;
    if (!inbox) slot.inbox = [pending];
    else if (inbox.length === 1) slot.inbox = [inbox[0], pending];
    else inbox.push(pending);
    return true;
  }

  /** Executions with an event still pending that was appended (`at`) before `olderThan`. */
  stranded(olderThan: Date, limit: number): string[] {
    const cutoff = olderThan.getTime();
    const out: string[] = [];
    for (const [id, slot] of this.slots) {
      if (out.length >= limit) break;
      if (slot.inbox?.some((p) => Date.parse(p.at) < cutoff)) out.push(id);
    }
    return out;
  }

  hasPendingNow(executionId: string): boolean {
    return this.slots.get(executionId)?.inbox !== undefined;
  }

  transactNow(
    executionId: string,
    fold: (execution: Execution, pending: readonly PendingEvent[]) => TransactOutcome | null,
    now: Date,
    keys?: readonly string[],
  ): { execution: Execution; outbox: OutboxEntry[] } | null {
    const slot = this.slot(executionId);
    const before = slot.execution;
    const inbox = slot.inbox;
    let pending = inbox;
    let rest: PendingEvent[] | undefined;
    if (keys && inbox) {
      if (inbox.some((p) => p.event.type === 'Kill')) throw interrupted(executionId);
      const wanted = new Set(keys);
      pending = inbox.filter((p) => wanted.has(p.key));
      rest = inbox.filter((p) => !wanted.has(p.key));
    }
    // Read, fold and write happen in one synchronous run, so no other writer can interleave;
    // the version check still guards against a fold that re-entered the store.
    const outcome = fold(before, pending ?? NONE);
    if (outcome === null) return null;
    if (slot.execution !== before || slot.inbox !== inbox) {
      throw new AloftError(ErrorCode.CONFLICT, `execution ${executionId} changed during the transaction`);
    }
    const version = before.version + 1;
    const execution: Execution = { ...outcome.execution, version };
    slot.execution = execution;
    slot.inbox = rest && rest.length > 0 ? rest : undefined;
    if (slot.seen && isTerminal(execution.state.current)) {
      slot.sealed = `${SEP}${[...slot.seen].join(SEP)}${SEP}`;
      slot.seen = undefined;
    }
    const effects = outcome.effects;
    if (effects.length === 0) return { execution, outbox: [] };
    const entries = new Array<OutboxEntry>(effects.length);
    const createdAt = this.iso(now);
    for (let i = 0; i < effects.length; i++) {
      const entry: OutboxEntry = { id: `${executionId}:${version}:${i}`, executionId, effect: effects[i], createdAt };
      entries[i] = entry;
      this.outbox.add(entry);
    }
    return { execution, outbox: entries };
  }

  ackOutboxNow(entries: readonly OutboxEntry[]): void {
    let copies: Set<string> | undefined;
    for (const entry of entries) if (!this.outbox.delete(entry)) (copies ??= new Set()).add(entry.id);
    // Entries that are copies (read back from elsewhere) are found by id.
    if (copies) for (const stored of this.outbox) if (copies.has(stored.id)) this.outbox.delete(stored);
  }

  async unpublished(olderThan: Date, limit: number): Promise<OutboxEntry[]> {
    const cutoff = olderThan.toISOString();
    const out: OutboxEntry[] = [];
    for (const entry of this.outbox.values()) {
      if (out.length >= limit) break;
      if (entry.createdAt < cutoff) out.push(entry);
    }
    return out;
  }

  async list(filter: ExecutionFilter): Promise<ExecutionPage> {
    const matches = this.matching(filter);
    // Newest first, as Kestra lists them; the id breaks ties so pages are stable.
    matches.sort((a, b) => (startOf(a) === startOf(b) ? (a.id < b.id ? -1 : 1) : startOf(a) < startOf(b) ? 1 : -1));
    const offset = filter.pageToken ? decodeToken(filter.pageToken) : 0;
    const size = filter.pageSize ?? 100;
    const executions = matches.slice(offset, offset + size);
    const next = offset + size;
    return next < matches.length ? { executions, nextPageToken: encodeToken(next) } : { executions };
  }

  async tokenAfter(filter: ExecutionFilter, n: number): Promise<string | undefined> {
    const next = (filter.pageToken ? decodeToken(filter.pageToken) : 0) + n;
    return next < this.matching(filter).length ? encodeToken(next) : undefined;
  }

  async count(filter: ExecutionFilter): Promise<number> {
    return this.matching(filter).length;
  }

  async delete(executionId: string): Promise<boolean> {
    const slot = this.slots.get(executionId);
    if (!slot) return false;
    assertDeletable(slot.execution, slot.inbox !== undefined && slot.inbox.length > 0);
    this.slots.delete(executionId);
    return true;
  }

  private matching(filter: ExecutionFilter): Execution[] {
    const states = filter.states ? new Set<string>(filter.states) : undefined;
    const matches: Execution[] = [];
    for (const { execution: e } of this.slots.values()) {
      if (filter.namespace !== undefined && e.namespace !== filter.namespace) continue;
      if (filter.flowId !== undefined && e.flowId !== filter.flowId) continue;
      if (states && !states.has(e.state.current)) continue;
      const start = startOf(e);
      if (filter.from !== undefined && start < filter.from) continue;
      if (filter.to !== undefined && start > filter.to) continue;
      matches.push(e);
    }
    return matches;
  }

  async claimSlot(claim: SlotClaim): Promise<SlotOutcome> {
    return this.concurrency.claim(claim);
  }

  async releaseSlot(release: SlotRelease): Promise<SlotHolder[]> {
    return this.concurrency.release(release);
  }

  async flowSlots(namespace: string, flowId: string): Promise<FlowSlots> {
    return this.concurrency.slots(namespace, flowId);
  }

  // Many commits share a millisecond in a burst; formatting the date once is enough.
  private iso(now: Date): string {
    if (now.getTime() !== this.lastCommitMs) {
      this.lastCommitMs = now.getTime();
      this.lastCommitIso = now.toISOString();
    }
    return this.lastCommitIso;
  }

  private slot(executionId: string): Slot {
    const slot = this.slots.get(executionId);
    if (!slot) throw new AloftError(ErrorCode.NOT_FOUND, `execution ${executionId} not found`);
    return slot;
  }
}

const encodeToken = (offset: number): string => Buffer.from(`o:${offset}`).toString('base64url');

function decodeToken(token: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  if (!m) throw new AloftError(ErrorCode.INPUT_INVALID, 'invalid page token');
  return Number(m[1]);
}
