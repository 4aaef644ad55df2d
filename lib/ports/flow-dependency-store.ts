// The references of every flow, kept in the store as flows are saved, so that the dependency queries
// (lib/api/stored-dependencies.ts) never read every flow: a subflow's callers come from an index on the
// calls, a namespace's flows from an index on the namespace. Flow triggers are the exception: what a
// listener accepts is a pattern over the source (a flow, a namespace, a namespace prefix, any flow),
// which no single index answers, so the listeners' patterns are kept with them and matched in memory
// over the listeners only. Listeners are few next to the flows; a pattern that names a prefix or no
// flow at all has no key to look it up by.

export interface FlowRef { namespace: string; id: string }

/** What an execution of a source flow must be for a listener to accept it. */
export type SourcePattern =
  | { kind: 'any' }
  | { kind: 'none' }
  | { kind: 'flow'; namespace: string; id: string }
  | { kind: 'namespace'; namespace: string; prefix: boolean }
  | { kind: 'or'; of: SourcePattern[] }
  | { kind: 'and'; of: SourcePattern[] };

/** A flow's outgoing references, as written in it: computed once per save. */
export interface FlowRefs extends FlowRef {
  uid: string;
  /** Flows it runs as subflows (static names only: a template names the subflow only at run time). */
  subflows: FlowRef[];
  /** One pattern per Flow trigger; the flow listens to a source when any matches. */
  listens: SourcePattern[];
}

/** Every answer is sorted by namespace, then id. */
export interface FlowDependencyStore {
  /** Files the latest revision's references of a flow, replacing the earlier ones. */
  save(refs: FlowRefs): Promise<void>;
  /** Forgets a deleted flow; nothing happens when it was never filed. */
  remove(namespace: string, id: string): Promise<void>;
  get(namespace: string, id: string): Promise<FlowRefs | null>;
  /** The flows that run this one as a subflow. */
  callersOf(namespace: string, id: string): Promise<FlowRefs[]>;
  /**
   * The listeners that may accept an execution of `source`: those filed (listenKeysOf) under its flow, its
   * namespace, a prefix of its namespace, or any flow. The caller matches their patterns.
   */
  listenersOf(source: FlowRef): Promise<FlowRefs[]>;
  /** The flows of a namespace or, with `prefix`, of every namespace that starts with it ('' is every flow). */
  inNamespace(namespace: string, opts?: { prefix?: boolean }): Promise<FlowRefs[]>;
  /** How many flows are filed (a data directory from before the store is filed once on open). */
  count(): Promise<number>;
}

// The keys a listener is filed under, one set per flow: its Flow triggers' patterns narrowed to the flows,
// namespaces and namespace prefixes they name, or ANY when a pattern names none. Adapters index them.
export const ANY = '*';
export const flowBucket = (namespace: string, id: string): string => `flow:${namespace}/${id}`;
export const nsBucket = (namespace: string): string => `ns:${namespace}`;
export const prefixBucket = (prefix: string): string => `nsp:${prefix}`;

/** Buckets that narrow a pattern (a source outside all of them cannot match), or null when it cannot be narrowed. */
export function bucketsOf(p: SourcePattern): string[] | null {
  switch (p.kind) {
    case 'none': return [];
    case 'flow': return [flowBucket(p.namespace, p.id)];
    case 'namespace': return [p.prefix ? prefixBucket(p.namespace) : nsBucket(p.namespace)];
    case 'or': {
      const all = p.of.map(bucketsOf);
      return all.every((b) => b !== null) ? (all as string[][]).flat() : null;
    }
    case 'and': {
      // Any one member narrows the whole: the one with the fewest, most selective buckets.
      const all = p.of.map(bucketsOf).filter((b): b is string[] => b !== null);
      return all.length === 0 ? null : all.reduce((best, b) => (rank(b) < rank(best) ? b : best));
    }
    default: return null;
  }
}
const rank = (b: string[]): number => b.length + (b.some((k) => k.startsWith('nsp:')) ? 1e6 : b.some((k) => k.startsWith('ns:')) ? 1e3 : 0);

/** The keys a flow's Flow triggers are filed under; none for a flow without one. */
export function listenKeysOf(refs: FlowRefs): string[] {
  const keys = new Set<string>();
  for (const p of refs.listens) for (const b of bucketsOf(p) ?? [ANY]) keys.add(b);
  return [...keys].sort();
}

/** The exact keys under which a listener of `source` is filed; prefix keys are matched against its namespace. */
export const sourceKeysOf = (source: FlowRef): string[] => [flowBucket(source.namespace, source.id), nsBucket(source.namespace), ANY];
export const isPrefixKey = (key: string): boolean => key.startsWith('nsp:');
/** The namespace prefix a prefix key names. */
export const prefixOfKey = (key: string): string => key.slice(4);

export const byFlow = (a: FlowRef, b: FlowRef): number => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
