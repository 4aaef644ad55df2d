// Flow references on SQLite (migration 6): flow_refs holds each flow's FlowRefs, flow_calls one row per
// subflow call so a callee's callers are an index lookup, and a partial index lists the listeners.
import type Database from 'better-sqlite3';
import type { FlowDependencyStore, FlowRefs } from '../../ports/flow-dependency-store';
import type { SqliteDatabase } from './database';

const parse = (json: string): FlowRefs => JSON.parse(json) as FlowRefs;

// Above every character a namespace holds ([a-zA-Z0-9._-]): `namespace < prefix || HIGH` ends a prefix range on the index.
const HIGH = '\u{10FFFF}';

export class SqliteFlowDependencyStore implements FlowDependencyStore {
  private readonly sql: {
    put: Database.Statement<[string, string, number, string]>;
    remove: Database.Statement<[string, string]>;
    removeCalls: Database.Statement<[string, string]>;
    addCall: Database.Statement<[string, string, string, string]>;
    get: Database.Statement<[string, string]>;
    callers: Database.Statement<[string, string]>;
    listeners: Database.Statement<[]>;
    inNamespace: Database.Statement<[string]>;
    inRange: Database.Statement<[string, string]>;
    count: Database.Statement<[]>;
  };

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      put: raw.prepare('INSERT INTO flow_refs (namespace, id, listens, json) VALUES (?, ?, ?, ?) ON CONFLICT (namespace, id) DO UPDATE SET listens = excluded.listens, json = excluded.json'),
      remove: raw.prepare('DELETE FROM flow_refs WHERE namespace = ? AND id = ?'),
      removeCalls: raw.prepare('DELETE FROM flow_calls WHERE caller_namespace = ? AND caller_id = ?'),
      addCall: raw.prepare('INSERT OR IGNORE INTO flow_calls (target_namespace, target_id, caller_namespace, caller_id) VALUES (?, ?, ?, ?)'),
      get: raw.prepare('SELECT json FROM flow_refs WHERE namespace = ? AND id = ?').pluck(),
      callers: raw.prepare(
        'SELECT r.json FROM flow_calls c JOIN flow_refs r ON r.namespace = c.caller_namespace AND r.id = c.caller_id WHERE c.target_namespace = ? AND c.target_id = ? ORDER BY r.namespace, r.id',
      ).pluck(),
      listeners: raw.prepare('SELECT json FROM flow_refs WHERE listens = 1 ORDER BY namespace, id').pluck(),
      inNamespace: raw.prepare('SELECT json FROM flow_refs WHERE namespace = ? ORDER BY id').pluck(),
      inRange: raw.prepare('SELECT json FROM flow_refs WHERE namespace >= ? AND namespace < ? ORDER BY namespace, id').pluck(),
      count: raw.prepare('SELECT COUNT(*) FROM flow_refs').pluck(),
    };
  }

  async save(refs: FlowRefs): Promise<void> {
    this.db.write();
    this.sql.put.run(refs.namespace, refs.id, refs.listens.length > 0 ? 1 : 0, JSON.stringify(refs));
    this.sql.removeCalls.run(refs.namespace, refs.id);
    for (const s of refs.subflows) this.sql.addCall.run(s.namespace, s.id, refs.namespace, refs.id);
    await this.db.durable();
  }

  async remove(namespace: string, id: string): Promise<void> {
    this.db.write();
    this.sql.remove.run(namespace, id);
    this.sql.removeCalls.run(namespace, id);
    await this.db.durable();
  }

  async get(namespace: string, id: string): Promise<FlowRefs | null> {
    const json = this.sql.get.get(namespace, id) as string | undefined;
    return json === undefined ? null : parse(json);
  }

  async callersOf(namespace: string, id: string): Promise<FlowRefs[]> {
    return (this.sql.callers.all(namespace, id) as string[]).map(parse);
  }

  async listeners(): Promise<FlowRefs[]> {
    return (this.sql.listeners.all() as string[]).map(parse);
  }

  async inNamespace(namespace: string, opts: { prefix?: boolean } = {}): Promise<FlowRefs[]> {
    const rows = opts.prefix ? this.sql.inRange.all(namespace, namespace + HIGH) : this.sql.inNamespace.all(namespace);
    return (rows as string[]).map(parse);
  }

  async count(): Promise<number> {
    return this.sql.count.get() as number;
  }
}
