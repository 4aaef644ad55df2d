// Flow references in memory, with the same indexes the durable stores keep: callers by subflow,
// flows by namespace, listeners by the keys they are filed under.
import { byFlow, isPrefixKey, listenKeysOf, prefixOfKey, sourceKeysOf, type FlowDependencyStore, type FlowRef, type FlowRefs } from '../../ports/flow-dependency-store';

// A JSON key: flowKey's `namespace.id` is ambiguous when ids hold dots.
const keyOf = (namespace: string, id: string): string => JSON.stringify([namespace, id]);

export class MemoryFlowDependencyStore implements FlowDependencyStore {
  private readonly flows = new Map<string, FlowRefs>();
  /** subflow key -> keys of the flows that call it. */
  private readonly callers = new Map<string, Set<string>>();
  /** listen key -> keys of the listeners filed under it; prefix keys apart, as they are matched one by one. */
  private readonly listening = new Map<string, Set<string>>();
  private readonly prefixes = new Map<string, Set<string>>();
  /** namespace -> keys of its flows: a prefix query walks the namespaces, not the flows. */
  private readonly byNamespace = new Map<string, Set<string>>();

  async save(refs: FlowRefs): Promise<void> {
    this.drop(refs.namespace, refs.id);
    const key = keyOf(refs.namespace, refs.id);
    this.flows.set(key, structuredClone(refs));
    for (const s of refs.subflows) add(this.callers, keyOf(s.namespace, s.id), key);
    for (const k of listenKeysOf(refs)) add(isPrefixKey(k) ? this.prefixes : this.listening, k, key);
    add(this.byNamespace, refs.namespace, key);
  }

  async remove(namespace: string, id: string): Promise<void> {
    this.drop(namespace, id);
  }

  async get(namespace: string, id: string): Promise<FlowRefs | null> {
    const refs = this.flows.get(keyOf(namespace, id));
    return refs ? structuredClone(refs) : null;
  }

  async callersOf(namespace: string, id: string): Promise<FlowRefs[]> {
    return this.many(this.callers.get(keyOf(namespace, id)) ?? []);
  }

  async listenersOf(source: FlowRef): Promise<FlowRefs[]> {
    const keys = new Set<string>();
    for (const k of sourceKeysOf(source)) for (const l of this.listening.get(k) ?? []) keys.add(l);
    for (const [k, ls] of this.prefixes) if (source.namespace.startsWith(prefixOfKey(k))) for (const l of ls) keys.add(l);
    return this.many(keys);
  }

  async inNamespace(namespace: string, opts: { prefix?: boolean } = {}): Promise<FlowRefs[]> {
    if (!opts.prefix) return this.many(this.byNamespace.get(namespace) ?? []);
    return this.many([...this.byNamespace].filter(([ns]) => ns.startsWith(namespace)).flatMap(([, keys]) => [...keys]));
  }

  async count(): Promise<number> {
    return this.flows.size;
  }

  private many(keys: Iterable<string>): FlowRefs[] {
    return [...keys].map((k) => structuredClone(this.flows.get(k)!)).sort(byFlow);
  }

  private drop(namespace: string, id: string): void {
    const key = keyOf(namespace, id);
    const old = this.flows.get(key);
    if (!old) return;
    this.flows.delete(key);
    for (const k of listenKeysOf(old)) drop(isPrefixKey(k) ? this.prefixes : this.listening, k, key);
    drop(this.byNamespace, namespace, key);
    for (const s of old.subflows) drop(this.callers, keyOf(s.namespace, s.id), key);
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function drop(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}
