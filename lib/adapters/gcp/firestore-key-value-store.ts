// KeyValueStore on Firestore: one document per (namespace, key) in `kv`, the value as JSON text.
// A value too big for a document (over `inlineLimitBytes`) goes to internal storage under
// `_kv/{namespace}/{key}/` and the document keeps its URI. Writes are compare-and-set on the
// document's update time (create() when absent), retried on a lost race, as the trigger state does.
import { randomUUID } from 'node:crypto';
import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import { KV_TYPES } from '../../model/kv';
import { keyToUri } from '../../model/storage-uri';
import type { BlobStore } from '../../ports/blob-store';
import type { KeyValueStore, KvEntry, KvMeta, KvWrite } from '../../ports/key-value-store';
import { firestoreLib } from './clients';
import { docIdFor, isAlreadyExists, isFailedPrecondition, isNotFound, toAloftError } from './firestore-constraints';

export interface FirestoreKeyValueStoreOptions {
  firestore: Firestore;
  /** Where values too big for a document go. */
  blobs: BlobStore;
  collectionPrefix?: string;
  /** JSON values longer than this (bytes) go to storage. Default 512 KiB, well under the 1 MiB document limit. */
  inlineLimitBytes?: number;
  /** Lost races before CONFLICT is reported. Default 50. */
  maxAttempts?: number;
}

const KvDoc = z.object({
  namespace: z.string(),
  key: z.string(),
  type: z.enum(KV_TYPES),
  description: z.string().optional(),
  creationDate: z.string(),
  updateDate: z.string(),
  expirationMs: z.number().optional(),
  value: z.string().optional(),
  valueUri: z.string().optional(),
});
type KvDoc = z.infer<typeof KvDoc>;

const live = (doc: KvDoc, now: Date): boolean => doc.expirationMs === undefined || doc.expirationMs > now.getTime();

export class FirestoreKeyValueStore implements KeyValueStore {
  private readonly db: Firestore;
  private readonly blobs: BlobStore;
  private readonly prefix: string;
  private readonly inlineLimit: number;
  private readonly maxAttempts: number;

  constructor(opts: FirestoreKeyValueStoreOptions) {
    this.db = opts.firestore;
    this.blobs = opts.blobs;
    this.prefix = opts.collectionPrefix ?? '';
    this.inlineLimit = opts.inlineLimitBytes ?? 512 * 1024;
    this.maxAttempts = opts.maxAttempts ?? 50;
  }

  private collection() {
    return this.db.collection(`${this.prefix}kv`);
  }

  private ref(namespace: string, key: string) {
    return this.collection().doc(docIdFor(`${namespace}/${key}`));
  }

  async set(namespace: string, entry: KvWrite, opts: { overwrite: boolean; now: Date }): Promise<boolean> {
    const what = `setting key ${entry.key} of namespace ${namespace}`;
    const ref = this.ref(namespace, entry.key);
    const text = JSON.stringify(entry.value) ?? 'null';
    const at = opts.now.toISOString();
    let valueUri: string | undefined;
    if (Buffer.byteLength(text) > this.inlineLimit) {
      valueUri = keyToUri(`_kv/${namespace}/${entry.key}/${randomUUID()}.json`);
      await this.blobs.put(valueUri, text);
    }
    let replaced: KvDoc | undefined;
    const stored = await this.casLoop(what, async () => {
      const snap = await ref.get();
      const current = snap.exists ? this.decode(snap) : undefined;
      const keep = current && live(current, opts.now) ? current : undefined;
      if (keep && !opts.overwrite) return false;
      const doc: KvDoc = { namespace, key: entry.key, type: entry.type, creationDate: keep?.creationDate ?? at, updateDate: at };
      if (entry.description !== undefined) doc.description = entry.description;
      if (entry.expirationDate !== undefined) doc.expirationMs = Date.parse(entry.expirationDate);
      if (valueUri) doc.valueUri = valueUri;
      else doc.value = text;
      if (snap.exists) {
        // update(), unlike set(), takes a precondition; fields the new entry lacks are removed.
        const gone = firestoreLib().FieldValue.delete();
        const fields = { description: gone, expirationMs: gone, value: gone, valueUri: gone, ...doc };
        await ref.update(fields, { lastUpdateTime: snap.updateTime! });
      }
      else await ref.create(doc);
      replaced = current;
      return true;
    }).catch(async (err: unknown) => {
      if (valueUri) await this.blobs.delete(valueUri).catch(() => false);
      throw err;
    });
    if (!stored && valueUri) await this.blobs.delete(valueUri);
    if (stored && replaced?.valueUri) await this.blobs.delete(replaced.valueUri).catch(() => false);
    return stored;
  }

  async get(namespace: string, key: string, now: Date): Promise<KvEntry | undefined> {
    const what = `reading key ${key} of namespace ${namespace}`;
    let doc: KvDoc | undefined;
    try {
      const snap = await this.ref(namespace, key).get();
      doc = snap.exists ? this.decode(snap) : undefined;
    } catch (err) {
      throw toAloftError(err, what);
    }
    if (!doc || !live(doc, now)) return undefined;
    const text = doc.valueUri !== undefined ? await readAll(await this.blobs.get(doc.valueUri)) : doc.value ?? 'null';
    return { ...toMeta(doc), value: JSON.parse(text) as unknown };
  }

  async listKeys(namespace: string, now: Date, prefix = ''): Promise<KvMeta[]> {
    try {
      // Sorted here, not by the query: ordering on another field than the filter needs a composite index.
      const snap = await this.collection().where('namespace', '==', namespace)
        .select('namespace', 'key', 'type', 'description', 'creationDate', 'updateDate', 'expirationMs').get();
      return snap.docs.map((d) => this.decode(d))
        .filter((d) => d.key.startsWith(prefix) && live(d, now))
        .map(toMeta)
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw toAloftError(err, `listing keys of namespace ${namespace}`);
    }
  }

  async delete(namespace: string, key: string, now: Date): Promise<boolean> {
    const ref = this.ref(namespace, key);
    let doc: KvDoc | undefined;
    try {
      const snap = await ref.get();
      if (!snap.exists) return false;
      doc = this.decode(snap);
      await ref.delete();
    } catch (err) {
      if (err instanceof AloftError) throw err;
      throw toAloftError(err, `deleting key ${key} of namespace ${namespace}`);
    }
    if (doc.valueUri) await this.blobs.delete(doc.valueUri);
    return live(doc, now);
  }

  private decode(snap: DocumentSnapshot): KvDoc {
    const doc = KvDoc.safeParse(snap.data());
    if (!doc.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt document ${snap.ref.path}`);
    return doc.data;
  }

  /** Runs a read-then-guarded-write step until its write is not beaten by another writer. */
  private async casLoop<T>(what: string, step: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await step();
      } catch (err) {
        if (err instanceof AloftError) throw err;
        const lostRace = isAlreadyExists(err) || isFailedPrecondition(err) || isNotFound(err);
        if (!lostRace) throw toAloftError(err, what);
        if (attempt >= this.maxAttempts) throw new AloftError(ErrorCode.CONFLICT, `${what}: lost ${attempt} races in a row`);
      }
    }
  }
}

function toMeta(doc: KvDoc): KvMeta {
  const meta: KvMeta = { key: doc.key, type: doc.type, creationDate: doc.creationDate, updateDate: doc.updateDate };
  if (doc.description !== undefined) meta.description = doc.description;
  if (doc.expirationMs !== undefined) meta.expirationDate = new Date(doc.expirationMs).toISOString();
  return meta;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('utf8');
}
