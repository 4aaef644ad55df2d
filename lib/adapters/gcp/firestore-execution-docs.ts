// The documents of an execution that FirestoreStateStore reads and writes besides its task runs: the
// header (typed query fields + `data`, the execution minus its task runs, as JSON) and inbox events.
// zod checks every one on read; a document that does not parse is reported by its path.
import type { DocumentSnapshot } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { Execution } from '../../model/execution';
import { ExecutionEvent } from '../../model/events';
import type { PendingEvent } from '../../ports/state-store';
import { firestoreLib } from './clients';
import { jsonField, parseJsonField } from './firestore-constraints';

export const ExecutionHeader = Execution.omit({ taskRunList: true, version: true });
export type ExecutionHeader = z.infer<typeof ExecutionHeader>;

const HeaderDoc = z.object({ version: z.number().int().nonnegative(), data: z.string(), packed: z.boolean().optional() });
const InboxDoc = z.object({ key: z.string(), at: z.string(), event: z.string(), consumed: z.boolean() });

/** A header as read or written. */
export interface StoredHeader {
  version: number;
  header: ExecutionHeader;
  /** Some task runs live in pack documents. */
  packed: boolean;
  /** Length of its stored JSON (caches budget in bytes). */
  bytes: number;
}

const startOf = (e: { state: Execution['state'] }): string => e.state.histories[0]?.date ?? '';

export function headerFields(e: Execution, version: number, packed = false): Record<string, unknown> & { data: string } {
  const { taskRunList: _runs, version: _v, ...header } = e;
  const data = jsonField(header, `the header of execution ${e.id} (inputs, outputs, trigger, labels)`);
  return {
    version, namespace: e.namespace, flowId: e.flowId, flowRevision: e.flowRevision, state: e.state.current,
    startDate: startOf(e), taskRunCount: e.taskRunList.length, parentExecutionId: e.parent?.executionId ?? null, packed, data,
  };
}

export function decodeHeader(snap: DocumentSnapshot): StoredHeader {
  const where = snap.ref.path;
  const doc = HeaderDoc.safeParse(snap.data());
  if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where}: no version or data`);
  return {
    version: doc.data.version, header: parseJsonField(ExecutionHeader, doc.data.data, where), packed: doc.data.packed === true, bytes: doc.data.data.length,
  };
}

/**
 * A kill must not be overtaken by a lone event (lib/runtime/cloud/lone-events.ts): it is marked, and
 * listed in the execution's `control/interrupts` document while pending.
 */
export const interrupts = (p: PendingEvent): boolean => p.event.type === 'Kill';

/** An inbox document; `alone` is the cloud transport's hint that the executor may fold it by name. */
export function inboxFields(p: PendingEvent, alone = false): Record<string, unknown> {
  return {
    key: p.key, at: p.at, type: p.event.type, event: jsonField(ExecutionEvent.parse(p.event), `event ${p.key}`),
    consumed: false, appendedAt: firestoreLib().FieldValue.serverTimestamp(), ...(alone ? { alone: true } : {}),
    ...(interrupts(p) ? { interrupts: true } : {}),
  };
}

export function decodeInbox(snap: DocumentSnapshot, executionId: string): PendingEvent {
  const where = snap.ref.path;
  const doc = InboxDoc.safeParse(snap.data());
  if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${where} (execution ${executionId})`);
  return { key: doc.data.key, at: doc.data.at, event: parseJsonField(ExecutionEvent, doc.data.event, where) };
}
