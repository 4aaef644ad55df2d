// Flow references on SQLite (migration 6): flow_refs holds each flow's FlowRefs, flow_calls one row per
// subflow call so a callee's callers are an index lookup, flow_listen_keys one row per key a listener is
// filed under.
import type Database from 'better-sqlite3';
import { byFlow, listenKeysOf, sourceKeysOf, type FlowDependencyStore, type FlowRef, type FlowRefs } from '../../ports/flow-dependency-store';
import type { SqliteDatabase, WriteStatement } from './database';

const parse = (json: string): FlowRefs => JSON.parse(json) as FlowRefs;

// Above every character a namespace holds ([a-zA-Z0-9._-]): `namespace < prefix || HIGH` ends a prefix range on the index.
const HIGH = '\u{10FFFF}';

export class SqliteFlowDependencyStore implements FlowDependencyStore {
  private readonly sql: {
    put: WriteStatement<[string, string, string]>;
    removeKeys: WriteStatement<[string, string]>;
    addKey: WriteStatement<[string, string, string]>;
    remove: WriteStatement<[string, string]>;
    removeCalls: WriteStatement<[string, string]>;
    addCall: WriteStatement<[string, string, string, string]>;
    get: Database.Statement<[string, string]>;
    callers: Database.Statement<[string, string]>;
    byKeys: Database.Statement<[string, string, string]>;
    byPrefixKeys: Database.Statement<[string]>;
    inNamespace: Database.Statement<[string]>;
    inRange: Database.Statement<[string, string]>;
    count: Database.Statement<[]>;
  };
  private lastWrite = 0;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    this.sql = {
      put: db.statement('INSERT INTO flow_refs (namespace, id, json) VALUES (?, ?, ?) ON CONFLICT (namespace, id) DO UPDATE SET json = excluded.json'),
      removeKeys: db.statement('DELETE FROM flow_listen_keys WHERE namespace = ? AND id = ?'),
      addKey: db.statement('INSERT OR IGNORE INTO flow_listen_keys (key, namespace, id) VALUES (?, ?, ?)'),
      remove: db.statement('DELETE FROM flow_refs WHERE namespace = ? AND id = ?'),
      removeCalls: db.statement('DELETE FROM flow_calls WHERE caller_namespace = ? AND caller_id = ?'),
      addCall: db.statement('INSERT OR IGNORE INTO flow_calls (target_namespace, target_id, caller_namespace, caller_id) VALUES (?, ?, ?, ?)'),
      get: raw.prepare('SELECT json FROM flow_refs WHERE namespace = ? AND id = ?').pluck(),
      callers: raw.prepare(
        'SELECT r.json FROM flow_calls c JOIN flow_refs r ON r.namespace = c.caller_namespace AND r.id = c.caller_id WHERE c.target_namespace = ? AND c.target_id = ? ORDER BY r.namespace, r.id',
      ).pluck(),
      byKeys: raw.prepare('SELECT DISTINCT r.namespace, r.id, r.json FROM flow_listen_keys k JOIN flow_refs r ON r.namespace = k.namespace AND r.id = k.id WHERE k.key IN (?, ?, ?)'),
      // Prefix keys sort together ('nsp:' up to 'nsp;'): a range on the key, then the prefix test on each.
      byPrefixKeys: raw.prepare(
        "SELECT DISTINCT r.namespace, r.id, r.json FROM flow_listen_keys k JOIN flow_refs r ON r.namespace = k.namespace AND r.id = k.id WHERE k.key >= 'nsp:' AND k.key < 'nsp;' AND substr(?, 1, length(k.key) - 4) = substr(k.key, 5)",
      ),
      inNamespace: raw.prepare('SELECT json FROM flow_refs WHERE namespace = ? ORDER BY id').pluck(),
      inRange: raw.prepare('SELECT json FROM flow_refs WHERE namespace >= ? AND namespace < ? ORDER BY namespace, id').pluck(),
      count: raw.prepare('SELECT COUNT(*) FROM flow_refs').pluck(),
    };
  }

  async save(refs: FlowRefs): Promise<void> {
    this.sql.put.run(refs.namespace, refs.id, JSON.stringify(refs));
    this.sql.removeCalls.run(refs.namespace, refs.id);
    for (const s of refs.subflows) this.sql.addCall.run(s.namespace, s.id, refs.namespace, refs.id);
    this.sql.removeKeys.run(refs.namespace, refs.id);
    for (const k of listenKeysOf(refs)) this.sql.addKey.run(k, refs.namespace, refs.id);
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }

  async remove(namespace: string, id: string): Promise<void> {
    this.sql.remove.run(namespace, id);
    this.sql.removeCalls.run(namespace, id);
    this.sql.removeKeys.run(namespace, id);
    this.lastWrite = this.db.writeSeq;
    await this.db.durable();
  }

  async get(namespace: string, id: string): Promise<FlowRefs | null> {
    await this.db.seen(this.lastWrite);
    const json = this.sql.get.get(namespace, id) as string | undefined;
    return json === undefined ? null : parse(json);
  }

  async callersOf(namespace: string, id: string): Promise<FlowRefs[]> {
    await this.db.seen(this.lastWrite);
    return (this.sql.callers.all(namespace, id) as string[]).map(parse);
  }

  async listenersOf(source: FlowRef): Promise<FlowRefs[]> {
    await this.db.seen(this.lastWrite);
    const [a, b, c] = sourceKeysOf(source);
    const rows = [...this.sql.byKeys.all(a, b, c), ...this.sql.byPrefixKeys.all(source.namespace)] as Array<{ namespace: string; id: string; json: string }>;
    const seen = new Map<string, string>();
    for (const r of rows) seen.set(JSON.stringify([r.namespace, r.id]), r.json);
    return [...seen.values()].map(parse).sort(byFlow);
  }

  async inNamespace(namespace: string, opts: { prefix?: boolean } = {}): Promise<FlowRefs[]> {
    await this.db.seen(this.lastWrite);
    const rows = opts.prefix ? this.sql.inRange.all(namespace, namespace + HIGH) : this.sql.inNamespace.all(namespace);
    return (rows as string[]).map(parse);
  }

  async count(): Promise<number> {
    await this.db.seen(this.lastWrite);
    return this.sql.count.get() as number;
  }
}
