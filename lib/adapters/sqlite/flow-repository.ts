// Flows and their revisions on SQLite: one row per revision; revision numbers keep counting after
// a delete (flow_revisions), as Kestra's do.
import type Database from 'better-sqlite3';
import type { Flow } from '../../model/flow';
import type { FlowRepository, StoredFlow } from '../../ports/flow-repository';
import type { SqliteDatabase } from './database';

interface Row {
  revision: number;
  updated: string;
  source: string;
  flow: string;
}

const fromRow = (r: Row): StoredFlow => ({ flow: JSON.parse(r.flow) as Flow, source: r.source, revision: r.revision, updated: r.updated });

export class SqliteFlowRepository implements FlowRepository {
  private readonly sql: {
    latest: Database.Statement<[string, string]>;
    revision: Database.Statement<[string, string, number]>;
    lastRevision: Database.Statement<[string, string]>;
    insert: Database.Statement<[string, string, number, string, string, string]>;
    bump: Database.Statement<[string, string, number]>;
    all: Database.Statement<[]>;
    remove: Database.Statement<[string, string]>;
  };

  constructor(private readonly db: SqliteDatabase) {
    const raw = db.db;
    const columns = 'revision, updated, source, flow';
    this.sql = {
      latest: raw.prepare(`SELECT ${columns} FROM flows WHERE namespace = ? AND id = ? ORDER BY revision DESC LIMIT 1`),
      revision: raw.prepare(`SELECT ${columns} FROM flows WHERE namespace = ? AND id = ? AND revision = ?`),
      lastRevision: raw.prepare('SELECT last_revision FROM flow_revisions WHERE namespace = ? AND id = ?').pluck(),
      insert: raw.prepare('INSERT INTO flows (namespace, id, revision, updated, source, flow) VALUES (?, ?, ?, ?, ?, ?)'),
      bump: raw.prepare(
        'INSERT INTO flow_revisions (namespace, id, last_revision) VALUES (?, ?, ?) ON CONFLICT (namespace, id) DO UPDATE SET last_revision = excluded.last_revision',
      ),
      // The latest revision of each flow (SQLite returns the row of MAX() in a bare-column aggregate).
      all: raw.prepare(`SELECT MAX(revision) AS revision, updated, source, flow FROM flows GROUP BY namespace, id`),
      remove: raw.prepare('DELETE FROM flows WHERE namespace = ? AND id = ?'),
    };
  }

  async save(flow: Flow, source: string, now: Date): Promise<StoredFlow> {
    const latest = this.sql.latest.get(flow.namespace, flow.id) as Row | undefined;
    if (latest && latest.source === source) return fromRow(latest);
    const revision = ((this.sql.lastRevision.get(flow.namespace, flow.id) as number | undefined) ?? 0) + 1;
    const stored: StoredFlow = { flow: { ...flow, revision }, source, revision, updated: now.toISOString() };
    this.db.write();
    this.sql.insert.run(flow.namespace, flow.id, revision, stored.updated, source, JSON.stringify(stored.flow));
    this.sql.bump.run(flow.namespace, flow.id, revision);
    await this.db.durable();
    return stored;
  }

  async get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null> {
    const row = (revision === undefined ? this.sql.latest.get(namespace, id) : this.sql.revision.get(namespace, id, revision)) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async list(filter: { namespace?: string } = {}): Promise<StoredFlow[]> {
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
    this.db.write();
    const removed = this.sql.remove.run(namespace, id).changes > 0;
    await this.db.durable();
    return removed;
  }
}
