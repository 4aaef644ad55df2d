// Flow concurrency slots on SQLite (the StateStore's claimSlot/releaseSlot/flowSlots): one row per
// flow holding its record as JSON. Each operation reads and writes the row in one synchronous run on
// the data directory (which one process owns), so no other claim interleaves; a record written in a
// batch not committed yet is read from memory (unacked.ts).
import type Database from 'better-sqlite3';
import {
  claimSlot, releaseSlot, slotsKey, SlotsRecord, type SlotClaim, type SlotHolder, type SlotOutcome, type SlotRelease,
} from '../../model/concurrency-slots';
import { AloftError, ErrorCode } from '../../model/errors';
import type { FlowSlots } from '../../ports/state-store';
import type { SqliteDatabase, WriteStatement } from './database';
import { Unacked } from './unacked';

export class SqliteConcurrencySlots {
  private readonly sql: {
    get: Database.Statement<[string]>;
    put: WriteStatement<[string, string]>;
  };
  private readonly unacked: Unacked<string>;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      get: raw.prepare('SELECT json FROM concurrency_slots WHERE flow_key = ?').pluck(),
      put: db.statement('INSERT INTO concurrency_slots (flow_key, json) VALUES (?, ?) ON CONFLICT DO UPDATE SET json = excluded.json'),
    };
    this.unacked = new Unacked(db);
  }

  async claim(claim: SlotClaim): Promise<SlotOutcome> {
    const key = slotsKey(claim.namespace, claim.flowId);
    const { record, outcome } = claimSlot(this.read(key), claim);
    this.put(key, record);
    await this.db.durable();
    return outcome;
  }

  async release(release: SlotRelease): Promise<SlotHolder[]> {
    const key = slotsKey(release.namespace, release.flowId);
    const { record, promoted } = releaseSlot(this.read(key), release.claimId);
    this.put(key, record);
    await this.db.durable();
    return promoted;
  }

  async slots(namespace: string, flowId: string): Promise<FlowSlots> {
    const r = this.read(slotsKey(namespace, flowId));
    return { running: r?.running ?? [], queued: r?.queued ?? [] };
  }

  private put(key: string, record: SlotsRecord): void {
    const json = JSON.stringify(record);
    this.sql.put.run(key, json);
    this.unacked.set(key, json);
  }

  private read(key: string): SlotsRecord | undefined {
    const json = this.unacked.get(key)?.value ?? (this.sql.get.get(key) as string | undefined);
    if (json === undefined) return undefined;
    const parsed = SlotsRecord.safeParse(JSON.parse(json));
    if (!parsed.success) throw new AloftError(ErrorCode.INTERNAL, `corrupt concurrency slots of flow ${key}`);
    return parsed.data;
  }
}
