// The embedded runtime's adapters, as one bundle: in memory (`aloft run` by default: one-shot, nothing
// outlives the process), or on SQLite in a data directory (`aloft server` by default, `--data DIR`),
// which a crash does not lose (docs/durability.md).
import type { AttemptKey, AttemptLedger, FlowRepository, LogStore, StateStore } from '../../ports';
import type { StrandedExecutions, WakeUpStore } from '../../ports/cloud-control';
import type { KeyValueStore } from '../../ports/key-value-store';
import type { FlowDependencyStore } from '../../ports/flow-dependency-store';
import type { TriggerStateStore } from '../../ports/trigger-state';
import {
  MemoryAttemptLedger, MemoryFlowDependencyStore, MemoryFlowRepository, MemoryKeyValueStore, MemoryLogStore, MemoryStateStore, MemoryStrandedExecutions, MemoryTriggerStateStore, MemoryWakeUpStore,
} from '../../adapters/local';
import type { SyncStateStore } from '../core/pass';

/** The ledger's synchronous operations, for the embedded worker's hot path. */
export interface SyncAttemptLedger {
  claimNow(key: AttemptKey, workerId: string, now: Date, timeoutMs?: number): boolean;
  finishNow(key: AttemptKey, now: Date): void;
}

export interface EmbeddedAdapters {
  store: StateStore & SyncStateStore;
  flowRepo: FlowRepository;
  /** Each flow's references, filed at save, for the dependency queries. */
  flowDependencies: FlowDependencyStore;
  ledger: AttemptLedger & SyncAttemptLedger;
  logs: LogStore;
  triggerState: TriggerStateStore;
  kv: KeyValueStore;
  wakeUpStore: WakeUpStore;
  stranded: StrandedExecutions;
  /** True when the state outlives the process: a restart then recovers what the last process left. */
  persistent: boolean;
  /** The data directory, when there is one: internal storage and scratch space go beside the database. */
  dataDir?: string;
  /**
   * Resolves once every write made so far is durable; undefined when there is nothing to wait for. A
   * worker waits for its claim to be durable before it runs a task, so a crash never forgets a running attempt.
   */
  durable(): Promise<void> | undefined;
  close(): Promise<void>;
}

export function memoryAdapters(): EmbeddedAdapters {
  const store = new MemoryStateStore();
  return {
    store,
    flowRepo: new MemoryFlowRepository(),
    flowDependencies: new MemoryFlowDependencyStore(),
    ledger: new MemoryAttemptLedger(),
    logs: new MemoryLogStore(),
    triggerState: new MemoryTriggerStateStore(),
    kv: new MemoryKeyValueStore(),
    wakeUpStore: new MemoryWakeUpStore(),
    stranded: new MemoryStrandedExecutions(store),
    persistent: false,
    durable: () => undefined,
    close: async () => undefined,
  };
}
