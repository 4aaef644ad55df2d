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
  /** The flows with at least one Flow trigger. */
  listeners(): Promise<FlowRefs[]>;
  /** The flows of a namespace or, with `prefix`, of every namespace that starts with it ('' is every flow). */
  inNamespace(namespace: string, opts?: { prefix?: boolean }): Promise<FlowRefs[]>;
  /** How many flows are filed (a data directory from before the store is filed once on open). */
  count(): Promise<number>;
}

export const byFlow = (a: FlowRef, b: FlowRef): number => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
