// In-memory flows and their revisions. A save with an unchanged source keeps the current revision.
import type { Flow } from '../../model/flow';
import type { FlowRepository, StoredFlow } from '../../ports/flow-repository';

interface Entry {
  revisions: StoredFlow[];
}

const keyOf = (namespace: string, id: string): string => `${namespace}\u0000${id}`;

export class MemoryFlowRepository implements FlowRepository {
  private readonly flows = new Map<string, Entry>();
  /** Revision numbers keep counting after a delete, as Kestra's do. */
  private readonly lastRevision = new Map<string, number>();

  async save(flow: Flow, source: string, now: Date): Promise<StoredFlow> {
    const key = keyOf(flow.namespace, flow.id);
    const entry = this.flows.get(key) ?? { revisions: [] };
    const latest = entry.revisions[entry.revisions.length - 1];
    if (latest && latest.source === source) return latest;
    const revision = (this.lastRevision.get(key) ?? 0) + 1;
    const stored: StoredFlow = { flow: { ...flow, revision }, source, revision, updated: now.toISOString() };
    entry.revisions.push(stored);
    this.flows.set(key, entry);
    this.lastRevision.set(key, revision);
    return stored;
  }

  async get(namespace: string, id: string, revision?: number): Promise<StoredFlow | null> {
    const revisions = this.flows.get(keyOf(namespace, id))?.revisions;
    if (!revisions || revisions.length === 0) return null;
    if (revision === undefined) return revisions[revisions.length - 1];
    return revisions.find((r) => r.revision === revision) ?? null;
  }

  async list(filter: { namespace?: string } = {}): Promise<StoredFlow[]> {
    const ns = filter.namespace;
    const out: StoredFlow[] = [];
    for (const { revisions } of this.flows.values()) {
      const latest = revisions[revisions.length - 1];
      // A namespace filter also matches its sub-namespaces, as in Kestra.
      if (ns !== undefined && latest.flow.namespace !== ns && !latest.flow.namespace.startsWith(`${ns}.`)) continue;
      out.push(latest);
    }
    const order = (s: StoredFlow): string => `${s.flow.namespace} ${s.flow.id}`;
    return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }

  async delete(namespace: string, id: string): Promise<boolean> {
    return this.flows.delete(keyOf(namespace, id));
  }
}
