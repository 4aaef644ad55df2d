// Expiry and metadata helpers shared by the key-value store adapters.
import type { KvMeta } from '../../ports/key-value-store';

export const isLive = (e: { expirationDate?: string }, now: Date): boolean =>
  e.expirationDate === undefined || Date.parse(e.expirationDate) > now.getTime();

/** The metadata of an entry, with no undefined fields (so it compares and serialises cleanly). */
export function metaOf(e: KvMeta): KvMeta {
  const meta: KvMeta = { key: e.key, type: e.type, creationDate: e.creationDate, updateDate: e.updateDate };
  if (e.description !== undefined) meta.description = e.description;
  if (e.expirationDate !== undefined) meta.expirationDate = e.expirationDate;
  return meta;
}
