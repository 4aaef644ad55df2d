export type * from './state-store';
export type * from './flow-repository';
export type * from './task-queue';
export type * from './blob-store';
export type * from './attempt-ledger';
export type * from './system';
export type * from './runtime-control';
export * from './log-store';
export type * from './execution-lease';
