// FlowRepository on Firestore:
//   flows/{namespace}:{id}              the latest revision (source + parsed flow), or a tombstone after a
//                                       delete that keeps `lastRevision`, so revisions keep counting as Kestra's do
//   flows/{namespace}:{id}/revisions/{n} every revision
import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Flow } from '../../model/flow';
import type { FlowRepository, StoredFlow } from '../../ports/flow-repository';
import { MAX_DOC_DATA_BYTES, MAX_WRITES, chunks, docIdFor, jsonField, parseJsonField, toAloftError } from './firestore-constraints';

export interface FirestoreFlowRepositoryOptions {
  firestore: Firestore;
  collectionPrefix?: string;
}

/** The stored flow was validated when it was saved; on read, its shape is checked, not its tasks' properties. */
const StoredFlowShape = z.object({
  id: z.string(), namespace: z.string(), tasks: z.array(z.record(z.string(), z.unknown())),
}).passthrough();

const RevisionDoc = z.object({ revision: z.number().int().positive(), updated: z.string(), source: z.string(), flow: z.string() });
const LatestDoc = RevisionDoc.extend({ namespace: z.string(), id: z.string(), deleted: z.literal(false) });

export class FirestoreFlowRepository implements FlowRepository {
  private readonly db: Firestore;
  private readonly prefix: string;

  constructor(opts: FirestoreFlowRepositoryOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
  }

  private get col() {
    return this.db.collection(`${this.prefix}flows`);
  }

  private ref(namespace: string, id: string) {
    return this.col.doc(docIdFor(`${namespace}:${id}`));
  }

  async save(flow: Flow, source: string, now: Date): Promise<StoredFlow> {
    const ref = this.ref(flow.namespace, flow.id);
    const where = `flow ${flow.namespace}.${flow.id}`;
    try {
      return await this.db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        const latest = snap.exists ? this.decodeLatest(snap) : null;
        if (latest && latest.source === source) return latest;
        const revision = (snap.exists ? Number(snap.get('lastRevision') ?? snap.get('revision') ?? 0) : 0) + 1;
        const stored: StoredFlow = { flow: { ...flow, revision }, source, revision, updated: now.toISOString() };
        const flowText = jsonField(stored.flow, `${where}, parsed`);
        if (Buffer.byteLength(flowText) + Buffer.byteLength(source) > MAX_DOC_DATA_BYTES) {
          throw new AloftError(ErrorCode.PAYLOAD_TOO_LARGE, `${where} is too large to store (over 1 MiB with its source)`, { flow: `${flow.namespace}.${flow.id}` });
        }
        const fields = { revision, updated: stored.updated, source, flow: flowText };
        tx.set(ref, { ...fields, namespace: flow.namespace, id: flow.id, lastRevision: revision, deleted: false });
        tx.set(ref.collection('revisions').doc(String(revision)), fields);
        return stored;
      });
    } catch (err) {
      throw toAloftError(err, `saving ${where}`, { abortedIsConflict: true });
    }
  }

  async get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null> {
    try {
      const ref = this.ref(namespace, id);
      const snap = await ref.get();
      if (!snap.exists || snap.get('deleted') === true) return null;
      if (revision === undefined || revision === snap.get('revision')) return this.decodeLatest(snap);
      if (!Number.isInteger(revision) || revision < 1) return null;
      const rev = await ref.collection('revisions').doc(String(revision)).get();
      return rev.exists ? this.decodeRevision(rev) : null;
    } catch (err) {
      throw toAloftError(err, `reading flow ${namespace}.${id}`);
    }
  }

  async list(filter: { namespace?: string } = {}): Promise<StoredFlow[]> {
    const ns = filter.namespace;
    try {
      // A namespace filter also matches its sub-namespaces, as in Kestra: `ns` and `ns.…` sort
      // between `ns` and `ns/` ('.' < '/'); what else lands in that range is filtered out below.
      const q = ns === undefined ? this.col : this.col.where('namespace', '>=', ns).where('namespace', '<', `${ns}/`);
      const snap = await q.get();
      return snap.docs
        .filter((d) => d.get('deleted') !== true)
        .filter((d) => ns === undefined || d.get('namespace') === ns || String(d.get('namespace')).startsWith(`${ns}.`))
        .map((d) => this.decodeLatest(d))
        .sort((a, b) => (a.flow.namespace === b.flow.namespace ? cmp(a.flow.id, b.flow.id) : cmp(a.flow.namespace, b.flow.namespace)));
    } catch (err) {
      throw toAloftError(err, 'listing flows');
    }
  }

  async delete(namespace: string, id: string): Promise<boolean> {
    const ref = this.ref(namespace, id);
    try {
      const last = await this.db.runTransaction(async (tx) => {
        const snap = await tx.get(ref);
        if (!snap.exists || snap.get('deleted') === true) return null;
        const lastRevision = Number(snap.get('lastRevision') ?? snap.get('revision'));
        tx.set(ref, { namespace, id, deleted: true, lastRevision });
        return lastRevision;
      });
      if (last === null) return false;
      // Only the revisions that existed at the delete: a save racing with it keeps its new revision.
      const revisions = await ref.collection('revisions').where('revision', '<=', last).select().get();
      for (const part of chunks(revisions.docs, MAX_WRITES)) {
        const batch = this.db.batch();
        for (const d of part) batch.delete(d.ref);
        await batch.commit();
      }
      return true;
    } catch (err) {
      throw toAloftError(err, `deleting flow ${namespace}.${id}`, { abortedIsConflict: true });
    }
  }

  private decodeLatest(snap: DocumentSnapshot): StoredFlow {
    const doc = LatestDoc.safeParse(snap.data());
    if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${snap.ref.path}`);
    return this.stored(doc.data, snap.ref.path);
  }

  private decodeRevision(snap: DocumentSnapshot): StoredFlow {
    const doc = RevisionDoc.safeParse(snap.data());
    if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${snap.ref.path}`);
    return this.stored(doc.data, snap.ref.path);
  }

  private stored(doc: z.infer<typeof RevisionDoc>, where: string): StoredFlow {
    const flow = parseJsonField(StoredFlowShape, doc.flow, where) as unknown as Flow;
    return { flow, source: doc.source, revision: doc.revision, updated: doc.updated };
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
