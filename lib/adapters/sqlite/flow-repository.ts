// Flows and their revisions on SQLite: one row per revision; revision numbers keep counting after
// a delete (flow_revisions), as Kestra's do. A flow written in a batch not committed yet is answered
// from memory (unacked.ts).
import type Database from 'better-sqlite3';
import type { Flow } from '../../model/flow';
import type { FlowRepository, StoredFlow } from '../../ports/flow-repository';
import type { SqliteDatabase, WriteStatement } from './database';
import { Unacked } from './unacked';

interface Row {
  revision: number;
  updated: string;
  source: string;
  flow: string;
}

const keyOf = (namespace: string, id: string): string => `${namespace}\u0000${id}`;

const fromRow = (r: Row): StoredFlow => ({ flow: JSON.parse(r.flow) as Flow, source: r.source, revision: r.revision, updated: r.updated });

export class SqliteFlowRepository implements FlowRepository {
  private readonly sql: {
    latest: Database.Statement<[string, string]>;
    revision: Database.Statement<[string, string, number]>;
    lastRevision: Database.Statement<[string, string]>;
    insert: WriteStatement<[string, string, number, string, string, string]>;
    bump: WriteStatement<[string, string, number]>;
    all: Database.Statement<[]>;
    remove: WriteStatement<[string, string]>;
  };
  /** Each flow written since the last commit: its latest revision (null once deleted) and its last revision number. */
  private readonly unacked: Unacked<{ latest: Row | null; lastRevision: number }>;
  private lastWrite = 0;

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    const columns = 'revision, updated, source, flow';
    this.sql = {
      latest: raw.prepare(`SELECT ${columns} FROM flows WHERE namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1`),
      revision: raw.prepare(`SELECT ${columns} FROM flows WHERE namespace = ? AND id = ? AND revision = ?`),
      lastRevision: raw.prepare('SELECT last_revision FROM flow_revisions WHERE namespace = ? AND id = ?').pluck(),
      insert: db.statement('INSERT INTO flows (namespace, id, revision, updated, source, flow) VALUES (?, ?, ?, ?, ?, ?)'),
      bump: db.statement(
        'INSERT INTO flow_revisions (namespace, id, last_revision) VALUES (?, ?, ?) ON CONFLICT (namespace, id) DO UPDATE SET last_revision = excluded.last_revision',
      ),
      // The latest revision of each flow (SQLite returns the row of MAX() in a bare-column aggregate).
      all: raw.prepare(`SELECT MAX(revision) AS revision, updated, source, flow FROM flows GROUP BY namespace, id`),
      remove: db.statement('DELETE FROM flows WHERE namespace = ? AND id = ?'),
    };
    this.unacked = new Unacked(db);
  }

  async save(flow: Flow, source: string, now: Date): Promise<StoredFlow> {
    const { latest, lastRevision } = this.current(flow.namespace, flow.id);
    if (latest && latest.source === source) return fromRow(latest);
    const revision = lastRevision + 1;
    const stored: StoredFlow = { flow: { ...flow, revision }, source, revision, updated: now.toISOString() };
    const json = JSON.stringify(stored.flow);
    this.sql.insert.run(flow.namespace, flow.id, revision, stored.updated, source, json);
    this.sql.bump.run(flow.namespace, flow.id, revision);
    this.wrote(flow.namespace, flow.id, { latest: { revision, updated: stored.updated, source, flow: json }, lastRevision: revision });
    await this.db.durable();
    return stored;
  }

  async get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null> {
    const pending = this.unacked.get(keyOf(namespace, id));
    if (pending && (revision === undefined || pending.value.latest?.revision === revision)) {
      return revision === undefined && !pending.value.latest ? null : fromRow(pending.value.latest!);
    }
    // Another revision of a flow written since the last commit: the commit holds it.
    if (pending) await this.db.durable();
    const row = (revision === undefined ? this.sql.latest.get(namespace, id) : this.sql.revision.get(namespace, id, revision)) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async list(filter: { namespace?: string } = {}): Promise<StoredFlow[]> {
    await this.db.seen(this.lastWrite);
    const ns = filter.namespace;
    const out: StoredFlow[] = [];
    for (const row of this.sql.all.all() as Row[]) {
      const stored = fromRow(row);
      // A namespace filter also matches its sub-namespaces, as in Kestra.
      if (ns !== undefined && stored.flow.namespace !== ns && !stored.flow.namespace.startsWith(`${ns}.`)) continue;
      out.push(stored);
    }
    const order = (s: StoredFlow): string => `${s.flow.namespace} ${s.flow.id}`;
    return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  async delete(namespace: string, id: string): Promise<boolean> {
    const { latest, lastRevision } = this.current(namespace, id);
    this.sql.remove.run(namespace, id);
    this.wrote(namespace, id, { latest: null, lastRevision });
    await this.db.durable();
    return latest !== undefined && latest !== null;
  }

  /** The flow's latest revision and last revision number, from memory while a batch holds them. */
  private current(namespace: string, id: string): { latest: Row | null | undefined; lastRevision: number } {
    const pending = this.unacked.get(keyOf(namespace, id));
    if (pending) return pending.value;
    return {
      latest: this.sql.latest.get(namespace, id) as Row | undefined,
      lastRevision: (this.sql.lastRevision.get(namespace, id) as number | undefined) ?? 0,
    };
  }

  private wrote(namespace: string, id: string, value: { latest: Row | null; lastRevision: number }): void {
    this.unacked.set(keyOf(namespace, id), value);
    this.lastWrite = this.db.writeSeq;
  }
}
