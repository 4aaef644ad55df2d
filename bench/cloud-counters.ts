// Counting what the cloud runtime asks of Firestore and Pub/Sub, by wrapping the adapters: every
// method call on a Firestore-backed adapter counts as one operation (some are a few RPCs, such as a
// transaction's reads and commit), every published worker task or dead letter as one message.
import type { CloudAdapters, HandledInvocation } from '../lib/runtime/cloud/deps';

const FIRESTORE_ADAPTERS = ['store', 'flowRepo', 'ledger', 'logs', 'triggerState', 'lease', 'wakeUpStore', 'stops', 'stranded'] as const;

export interface Counters {
  firestoreOps: number;
  byOperation: Record<string, number>;
  /** Total ms spent in each operation (calls overlap, so these add up to more than the wall time). */
  msByOperation: Record<string, number>;
  messages: number;
  invocations: Record<string, number>;
  failures: Array<{ fn: string; code: string; message: string }>;
  instrument(adapters: CloudAdapters): CloudAdapters;
  onHandled(h: HandledInvocation): void;
}

function counted<T extends object>(target: T, name: string, count: (op: string) => void, timed?: (op: string, ms: number) => void): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const op = `${name}.${prop}`;
        count(op);
        const t0 = performance.now();
        const out = (value as (...a: unknown[]) => unknown).apply(obj, args);
        if (timed && out instanceof Promise) void out.then(() => timed(op, performance.now() - t0), () => timed(op, performance.now() - t0));
        return out;
      };
    },
  });
}

export function counters(): Counters {
  const c: Counters = {
    firestoreOps: 0, byOperation: {}, msByOperation: {}, messages: 0, invocations: {}, failures: [],
    instrument(adapters) {
      const wrapped: CloudAdapters = { ...adapters };
      for (const key of FIRESTORE_ADAPTERS) {
        const adapter = adapters[key];
        if (adapter) (wrapped as unknown as Record<string, unknown>)[key] = counted(adapter as object, key, (op) => {
          c.firestoreOps++;
          c.byOperation[op] = (c.byOperation[op] ?? 0) + 1;
        }, (op, ms) => { c.msByOperation[op] = (c.msByOperation[op] ?? 0) + ms; });
      }
      wrapped.queue = counted(adapters.queue, 'queue', (op) => { if (op === 'queue.publish') c.messages++; });
      wrapped.deadLetter = (letter) => { c.messages++; return adapters.deadLetter(letter); };
      return wrapped;
    },
    onHandled(h) {
      c.invocations[h.fn] = (c.invocations[h.fn] ?? 0) + 1;
      if (h.error) {
        const e = h.error as { code?: unknown; message?: unknown };
        c.failures.push({ fn: h.fn, code: String(e.code ?? 'INTERNAL'), message: String(e.message ?? h.error) });
      }
    },
  };
  return c;
}
