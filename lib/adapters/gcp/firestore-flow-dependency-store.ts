// FlowDependencyStore on Firestore:
//   flowRefs/{namespace}:{id}   one document per flow: its FlowRefs as JSON, `callees` (the subflows it
//                               runs, as keys) queried with array-contains for a flow's callers,
//                               `listenKeys` (listenKeysOf but namespace prefixes) queried with
//                               array-contains-any for a source's listeners, `prefixListener` for the
//                               few listeners filed under a prefix, matched here, and `namespace`: each
//                               with its automatic single-field index, so no query needs a composite one.
import type { Firestore, Query } from '@google-cloud/firestore';
import { z } from 'zod';
import { byFlow, isPrefixKey, listenKeysOf, prefixOfKey, sourceKeysOf, type FlowDependencyStore, type FlowRef, type FlowRefs } from '../../ports/flow-dependency-store';
import { docIdFor, jsonField, parseJsonField, toAloftError } from './firestore-constraints';

export interface FirestoreFlowDependencyOptions {
  firestore: Firestore;
  collectionPrefix?: string;
}

// A JSON key: flowKey's `namespace.id` is ambiguous when ids hold dots.
const calleeKey = (namespace: string, id: string): string => JSON.stringify([namespace, id]);

/** The refs were computed by refsOf at save; on read their shape is checked, not every pattern. */
const RefsShape = z.object({
  uid: z.string(), namespace: z.string(), id: z.string(),
  subflows: z.array(z.object({ namespace: z.string(), id: z.string() })),
  listens: z.array(z.object({ kind: z.string() }).passthrough()),
});

// Above every character a namespace holds: `namespace < prefix + HIGH` ends a prefix range.
const HIGH = '\uf8ff';

export class FirestoreFlowDependencyStore implements FlowDependencyStore {
  private readonly db: Firestore;
  private readonly prefix: string;

  constructor(opts: FirestoreFlowDependencyOptions) {
    this.db = opts.firestore;
    this.prefix = opts.collectionPrefix ?? '';
  }

  private get col() {
    return this.db.collection(`${this.prefix}flowRefs`);
  }

  private ref(namespace: string, id: string) {
    return this.col.doc(docIdFor(`${namespace}:${id}`));
  }

  async save(refs: FlowRefs): Promise<void> {
    const where = `the references of flow ${refs.namespace}.${refs.id}`;
    try {
      const keys = listenKeysOf(refs);
      await this.ref(refs.namespace, refs.id).set({
        namespace: refs.namespace, id: refs.id,
        listenKeys: keys.filter((k) => !isPrefixKey(k)), prefixKeys: keys.filter(isPrefixKey), prefixListener: keys.some(isPrefixKey),
        callees: [...new Set(refs.subflows.map((s) => calleeKey(s.namespace, s.id)))],
        refs: jsonField(refs, where),
      });
    } catch (err) {
      throw toAloftError(err, `saving ${where}`);
    }
  }

  async remove(namespace: string, id: string): Promise<void> {
    try {
      await this.ref(namespace, id).delete();
    } catch (err) {
      throw toAloftError(err, `deleting the references of flow ${namespace}.${id}`);
    }
  }

  async get(namespace: string, id: string): Promise<FlowRefs | null> {
    const ref = this.ref(namespace, id);
    try {
      const snap = await ref.get();
      return snap.exists ? this.decode(snap.get('refs'), ref.path) : null;
    } catch (err) {
      throw toAloftError(err, `reading the references of flow ${namespace}.${id}`);
    }
  }

  callersOf(namespace: string, id: string): Promise<FlowRefs[]> {
    return this.query(this.col.where('callees', 'array-contains', calleeKey(namespace, id)), `reading the callers of flow ${namespace}.${id}`);
  }

  async listenersOf(source: FlowRef): Promise<FlowRefs[]> {
    const what = `reading the listeners of flow ${source.namespace}.${source.id}`;
    const exact = await this.query(this.col.where('listenKeys', 'array-contains-any', sourceKeysOf(source)), what);
    const out = new Map(exact.map((r) => [JSON.stringify([r.namespace, r.id]), r]));
    try {
      const snap = await this.col.where('prefixListener', '==', true).select('refs', 'prefixKeys').get();
      for (const d of snap.docs) {
        const prefixes = (d.get('prefixKeys') as unknown[] | undefined ?? []).filter((k): k is string => typeof k === 'string').map(prefixOfKey);
        if (!prefixes.some((p) => source.namespace.startsWith(p))) continue;
        const r = this.decode(d.get('refs'), d.ref.path);
        out.set(JSON.stringify([r.namespace, r.id]), r);
      }
    } catch (err) {
      throw toAloftError(err, what);
    }
    return [...out.values()].sort(byFlow);
  }

  inNamespace(namespace: string, opts: { prefix?: boolean } = {}): Promise<FlowRefs[]> {
    if (!opts.prefix) return this.query(this.col.where('namespace', '==', namespace), `reading the flows of namespace ${namespace}`);
    const q = namespace === '' ? this.col : this.col.where('namespace', '>=', namespace).where('namespace', '<', namespace + HIGH);
    return this.query(q, `reading the flows of namespaces ${namespace}*`);
  }

  async count(): Promise<number> {
    try {
      return (await this.col.count().get()).data().count;
    } catch (err) {
      throw toAloftError(err, 'counting flow references');
    }
  }

  private async query(q: Query, what: string): Promise<FlowRefs[]> {
    try {
      const snap = await q.select('refs').get();
      return snap.docs.map((d) => this.decode(d.get('refs'), d.ref.path)).sort(byFlow);
    } catch (err) {
      throw toAloftError(err, what);
    }
  }

  private decode(text: unknown, where: string): FlowRefs {
    return parseJsonField(RefsShape, text, where) as unknown as FlowRefs;
  }
}
