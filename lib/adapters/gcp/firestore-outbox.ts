// The outbox: effects committed with the state and not yet published. One document holds all the
// effects of one transaction (`outbox/{executionId}:{version}:{part}`, split only past ~900 KB), so a
// step that dispatches 300 tasks costs one write, not 300, and stays far below 500 writes per commit.
// Each effect is an OutboxEntry of its own, with the id `{document}#{index}/{count}`; a document is
// deleted once all its entries are acknowledged.
import type { CollectionReference, Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { Effect } from '../../model/effects';
import type { OutboxEntry } from '../../ports/state-store';
import { firestoreLib } from './clients';
import { MAX_WRITES, chunks, jsonField, parseJsonField } from './firestore-constraints';
import { groupCommit } from './firestore-group-commit';

const PART_BYTES = 900_000;
/** Acknowledged documents deleted through the group commit; more than this go in batches of their own. */
const GROUPED_DELETES = 20;
const Effects = z.array(Effect);
const OutboxDoc = z.object({
  executionId: z.string(), createdAt: z.string(), count: z.number().int().positive(), effects: z.string(),
  acked: z.array(z.number().int()).optional(),
});

export interface OutboxDocWrite {
  id: string;
  fields: Record<string, unknown>;
  bytes: number;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const entryId = (docId: string, i: number, count: number): string => `${docId}#${pad(i, 5)}/${pad(count, 5)}`;

function parseEntryId(id: string): { docId: string; index: number; count: number } {
  const m = /^(.*)#(\d+)\/(\d+)$/.exec(id);
  if (!m) throw new AloftError(ErrorCode.INPUT_INVALID, `not an outbox entry id: ${id}`);
  return { docId: m[1], index: Number(m[2]), count: Number(m[3]) };
}

/** The documents and entries for the effects of one commit. */
export function planOutbox(executionId: string, version: number, effects: readonly Effect[], createdAt: string): { docs: OutboxDocWrite[]; entries: OutboxEntry[] } {
  const texts = effects.map((e) => jsonField(e, `effect ${e.type} of execution ${executionId}`));
  const parts: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  texts.forEach((t, i) => {
    const size = Buffer.byteLength(t) + 1;
    if (current.length > 0 && bytes + size > PART_BYTES) {
      parts.push(current);
      current = [];
      bytes = 0;
    }
    current.push(i);
    bytes += size;
  });
  if (current.length > 0) parts.push(current);
  const docs: OutboxDocWrite[] = [];
  const entries: OutboxEntry[] = [];
  parts.forEach((indices, p) => {
    const id = `${executionId}:${pad(version, 10)}:${pad(p, 5)}`;
    const text = `[${indices.map((i) => texts[i]).join(',')}]`;
    docs.push({
      id, bytes: Buffer.byteLength(text),
      fields: { executionId, createdAt, count: indices.length, types: indices.map((i) => effects[i].type), effects: text, acked: [] },
    });
    indices.forEach((i, k) => entries.push({ id: entryId(id, k, indices.length), executionId, effect: effects[i], createdAt }));
  });
  return { docs, entries };
}

export async function ackOutbox(db: Firestore, col: CollectionReference, entries: readonly OutboxEntry[]): Promise<void> {
  const byDoc = new Map<string, { count: number; indices: Set<number> }>();
  for (const e of entries) {
    const { docId, index, count } = parseEntryId(e.id);
    const slot = byDoc.get(docId) ?? { count, indices: new Set<number>() };
    slot.indices.add(index);
    byDoc.set(docId, slot);
  }
  const whole = [...byDoc].filter(([, s]) => s.indices.size >= s.count).map(([id]) => id);
  // Deletes need no atomicity (each is idempotent), so a few go out with other invocations' writes
  // through the group commit; a large acknowledgement keeps its own batches.
  if (whole.length <= GROUPED_DELETES) {
    const g = groupCommit(db);
    await Promise.all(whole.map((id) => g.delete(col.doc(id))));
  } else {
    for (const part of chunks(whole, MAX_WRITES)) {
      const batch = db.batch();
      for (const id of part) batch.delete(col.doc(id));
      await batch.commit();
    }
  }
  // Part of a document acknowledged: remember which, and delete it once every entry is.
  await Promise.all([...byDoc].filter(([, s]) => s.indices.size < s.count).map(([id, s]) => db.runTransaction(async (tx) => {
    const snap = await tx.get(col.doc(id));
    if (!snap.exists) return;
    const acked = new Set<number>([...((snap.get('acked') as number[] | undefined) ?? []), ...s.indices]);
    if (acked.size >= Number(snap.get('count'))) tx.delete(snap.ref);
    else tx.update(snap.ref, { acked: [...acked].sort((a, b) => a - b) });
  })));
}

/** Unacknowledged entries committed before `olderThan`, oldest first, at most `limit`. */
export async function unpublishedEntries(col: CollectionReference, olderThan: Date, limit: number): Promise<OutboxEntry[]> {
  // Every document left holds at least one unacknowledged entry, so `limit` documents are enough.
  const snap = await col.where('createdAt', '<', olderThan.toISOString()).orderBy('createdAt').orderBy(firestoreLib().FieldPath.documentId()).limit(limit).get();
  const out: OutboxEntry[] = [];
  for (const d of snap.docs) {
    const doc = OutboxDoc.safeParse(d.data());
    if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${d.ref.path}`);
    const effects = parseJsonField(Effects, doc.data.effects, d.ref.path);
    const acked = new Set(doc.data.acked ?? []);
    effects.forEach((effect, i) => {
      if (!acked.has(i)) out.push({ id: entryId(d.id, i, effects.length), executionId: doc.data.executionId, effect, createdAt: doc.data.createdAt });
    });
    if (out.length >= limit) break;
  }
  return out.slice(0, limit);
}
