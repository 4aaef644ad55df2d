// The embedded runtime's adapters: the same ports the GCP adapters implement.
export { MemoryStateStore } from './state-store';
export { MemoryFlowRepository } from './flow-repository';
export { InProcessTaskQueue, type InProcessTaskQueueOptions } from './task-queue';
export { FolderBlobStore, type FolderBlobStoreOptions } from './blob-store';
export { MemoryAttemptLedger } from './attempt-ledger';
export { MemoryLogStore } from './log-store';
export { MemoryExecutionLease } from './execution-lease';
export { MemoryWakeUpStore } from './wake-ups';
export { MemoryAttemptStops } from './attempt-stops';
export { MemoryStrandedExecutions } from './stranded-executions';
export { EnvSecrets } from './secrets';
export { SystemClock, RandomIds, TimeOrderedIds, kestraId } from './system';
export { MemoryTriggerStateStore } from './trigger-state';
export { MemoryFlowDependencyStore } from './flow-dependency-store';
export { MemoryKeyValueStore } from './key-value-store';
