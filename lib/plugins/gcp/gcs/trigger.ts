// io.kestra.plugin.gcp.gcs.Trigger: every interval, lists `from` (files only, `regExp`, `listingType`),
// copies the objects it has not fired yet into internal storage under the execution it starts, with
// `trigger.blobs` (each blob's `uri` its kestra:// copy), then applies `action` (MOVE, DELETE, NONE).
//
// Exactly once per object version, across crashes and overlapping scheduler invocations: the batch
// (its execution id, derived from the objects and their generations, and its blobs) is noted in the
// trigger state before the execution starts; a poll that finds a noted batch finishes it first
// (starting it again finds the execution there), and only one batch is noted at a time. The state
// also keeps the version of every object seen, which `on` (CREATE, UPDATE, CREATE_OR_UPDATE) compares.
import { basename } from 'node:path';
import type { PollState } from '../../../ports/trigger-state';
import type { GcsTriggerProperties } from '../../../triggers/catalog';
import type { PollContext, PollingTrigger, StateFold } from '../../../triggers/polling';
import type { TaskContext } from '../../types';
import { movedTo } from './batch';
import { gcsError, gsUri, locationOf, storageClient } from './client';
import type { Blob } from './properties';
import { list } from './tasks';

type Props = Omit<GcsTriggerProperties, 'interval' | 'inputs' | 'conditions'>;

/** What the trigger keeps: object name -> version seen, and the batch being started. */
interface GcsPollState {
  seen: Record<string, string>;
  pending?: { id: string; blobs: Blob[] };
}

const versionOf = (b: Blob): string => b.generation ?? b.updateTime ?? b.etag ?? '';

const decode = (state: PollState | null): GcsPollState => ({
  seen: { ...((state?.seen as Record<string, string> | undefined) ?? {}) },
  ...(state?.pending ? { pending: state.pending as GcsPollState['pending'] } : {}),
});

export const gcsPolling: PollingTrigger<'Gcs'> = {
  idPrefix: 'gcs-poll',
  polls: () => true,
  intervalMs: (trigger) => trigger.intervalMs,
  async poll(ctx, trigger, stored) {
    const lister = ctx.task(ctx.executionId());
    const p = await lister.render<Props>(trigger.gcs);
    const state = decode(stored);
    // A batch noted by an earlier poll that did not finish (a crash, or a poll still running) goes first.
    if (state.pending) {
      await finish(ctx, lister, p, state.pending);
      return { state: done(state.pending, state.pending.blobs) };
    }
    const { blobs: listed } = await list(lister, { ...p, filter: 'FILES' });
    const fresh = listed.filter((b) => isDue(p.on, state.seen[b.name], versionOf(b)));
    const seenNow: StateFold = (current) => ({ ...decode(current), seen: seenOf(listed) });
    // Nothing new: the state is written only when the listing changed (a write per poll costs in Firestore).
    if (fresh.length === 0) return sameNames(state.seen, listed) ? {} : { state: seenNow };
    const id = ctx.executionId(fresh.map((b) => `${b.uri}#${versionOf(b)}`).sort());
    const task = ctx.task(id);
    const blobs = await download(task, p, fresh);
    const noted = decode(await ctx.update((current) => {
      const s = decode(current);
      return s.pending ? { ...s } : { ...s, pending: { id, blobs } };
    }));
    // Another poll noted its batch first: it, or the next poll, finishes that one; ours waits its turn.
    if (noted.pending?.id !== id) return {};
    await finish(ctx, task, p, noted.pending);
    return { state: (current) => ({ ...done(noted.pending!, listed)(current), seen: seenOf(listed) }) };
  },
};

/** Whether an object at `version`, last seen at `seen`, fires under `on`. */
function isDue(on: Props['on'], seen: string | undefined, version: string): boolean {
  if (seen === undefined) return on !== 'UPDATE';
  return seen !== version && on !== 'CREATE';
}

/** The seen versions after a listing: what is listed now (objects gone are forgotten). */
function seenOf(listed: readonly Blob[]): Record<string, string> {
  const next: Record<string, string> = {};
  for (const b of listed) next[b.name] = versionOf(b);
  return next;
}

const sameNames = (seen: Record<string, string>, listed: readonly Blob[]): boolean =>
  listed.length === Object.keys(seen).length && listed.every((b) => seen[b.name] === versionOf(b));

/** Clears the noted batch (when it is still this one) and marks its objects seen. */
function done(batch: NonNullable<GcsPollState['pending']>, seenBlobs: readonly Blob[]): StateFold {
  return (current) => {
    const s = decode(current);
    const seen = { ...s.seen };
    for (const b of seenBlobs) seen[b.name] = versionOf(b);
    return s.pending?.id === batch.id ? { seen } : { ...s, seen };
  };
}

async function download(task: TaskContext, p: Props, fresh: readonly Blob[]): Promise<Blob[]> {
  const storage = storageClient(task, p);
  const used = new Set<string>();
  const out: Blob[] = [];
  for (const blob of fresh) {
    // Two objects of a recursive listing may share a file name; each keeps its own file.
    let name = basename(blob.name) || 'object';
    for (let n = 1; used.has(name); n++) name = `${n}-${basename(blob.name)}`;
    used.add(name);
    try {
      const { uri } = await task.storage.put(name, storage.bucket(blob.bucket).file(blob.name).createReadStream());
      out.push({ ...blob, uri });
    } catch (err) {
      throw gcsError(err, `Download of '${blob.uri}'`, locationOf(task, 'from'));
    }
  }
  return out;
}

/** Starts the batch's execution (or finds it there), then moves or deletes its objects. */
async function finish(ctx: PollContext, task: TaskContext, p: Props, batch: NonNullable<GcsPollState['pending']>): Promise<void> {
  const outcome = await ctx.fire(batch.id, { blobs: batch.blobs });
  // Conditions that do not hold start nothing; the objects stay where they are, as seen.
  if (outcome.status === 'skipped' || p.action === 'NONE') return;
  const storage = storageClient(task, p);
  for (const blob of batch.blobs) {
    const file = storage.bucket(blob.bucket).file(blob.name);
    try {
      if (p.action === 'MOVE') {
        const to = gsUri(movedTo(p.moveDirectory!, blob.name), locationOf(task, 'moveDirectory'));
        await file.copy(storage.bucket(to.bucket).file(to.path));
      }
      await file.delete();
    } catch (err) {
      // Gone already: an earlier attempt at this batch moved or deleted it.
      if ((err as { code?: unknown }).code !== 404) throw gcsError(err, `${p.action === 'MOVE' ? 'Move' : 'Delete'} of 'gs://${blob.bucket}/${blob.name}'`, locationOf(task, 'action'));
    }
  }
}
