// The embedded runtime's adapters: the same ports the GCP adapters implement.
export { MemoryStateStore } from './state-store';
export { MemoryFlowRepository } from './flow-repository';
export { InProcessTaskQueue, type InProcessTaskQueueOptions } from './task-queue';
export { FolderBlobStore, type FolderBlobStoreOptions } from './blob-store';
export { MemoryAttemptLedger } from './attempt-ledger';
export { MemoryLogStore } from './log-store';
export { EnvSecrets } from './secrets';
export { SystemClock, RandomIds, kestraId } from './system';
export { MemoryWakeUpStore } from './wake-up-store';
export { MemoryTriggerStateStore } from './trigger-state';
