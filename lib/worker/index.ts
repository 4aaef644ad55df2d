// The worker: runs one attempt of one task run.
export { runAttempt } from './run-attempt';
export type { WorkerDeps, RunAttemptOptions, AttemptOutcome, StdoutLog, Env } from './types';
export { createTaskContext, type TaskContextOptions, type AttemptTaskContext } from './context';
export { jsonStdoutLog } from './stdout';
export { LazyAbortController, type KillSource } from './stop';
