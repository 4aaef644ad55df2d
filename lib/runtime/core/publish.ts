// Carrying out committed effects, the same in both runtimes: in commit order, a bounded number at
// once, each acknowledged once it went out. One that fails stays in the outbox, where the recovery
// sweep (core/recovery.ts) finds it again: the state is already saved, so failing the pass would only
// fold nothing again.
import { toErrorData, type AloftErrorData } from '../../model/errors';
import type { OutboxEntry } from '../../ports';
import { applyEffect, type EffectDeps } from './effects';

export interface PublishDeps {
  /** Effects carried out at once; the Pub/Sub client batches concurrent publishes. Default 64. */
  publishConcurrency?: number;
  /** An effect that could not be carried out (it stays in the outbox), or an acknowledgement that failed. */
  failed(entry: OutboxEntry | undefined, error: AloftErrorData): void;
  /**
   * Whether publishing acknowledges the entry. Default yes. The embedded runtime on a data directory
   * leaves a worker task in the outbox until a worker claims it: its in-process queue does not survive a
   * crash, the outbox does.
   */
  acknowledges?(entry: OutboxEntry): boolean;
}

/** Carries out the entries, in order with `publishConcurrency` lanes; returns those that went out. */
export async function publishOutbox(deps: PublishDeps, effects: EffectDeps, entries: readonly OutboxEntry[]): Promise<OutboxEntry[]> {
  const done: OutboxEntry[] = [];
  const limit = Math.max(1, deps.publishConcurrency ?? 64);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < entries.length) {
      const entry = entries[next++];
      try {
        await applyEffect(effects, entry.effect);
        done.push(entry);
      } catch (err) {
        deps.failed(entry, toErrorData(err));
      }
    }
  };
  // One lane needs no Promise.all: an execution's end usually publishes one or two entries.
  const lanes = Math.min(limit, entries.length);
  if (lanes <= 1) await lane();
  else await Promise.all(Array.from({ length: lanes }, lane));
  const ack = deps.acknowledges ? done.filter((e) => deps.acknowledges!(e)) : done;
  if (ack.length > 0) {
    try {
      await effects.store.ackOutbox(ack);
    } catch (err) {
      // Unacknowledged entries are published again later: every effect is idempotent.
      deps.failed(undefined, toErrorData(err));
    }
  }
  return done;
}
