// What the worker needs and what one attempt ends with.
import type { PluginCatalog } from '../plugins/catalog';
import type { BlobStore } from '../ports/blob-store';
import type { LogLevel, LogStore } from '../ports/log-store';
import type { KeyValueStore } from '../ports/key-value-store';
import type { StateStore } from '../ports/state-store';
import type { Clock, Secrets } from '../ports/system';
import type { WorkerResult } from '../model/worker-messages';
import type { KillSource } from './stop';

export type Env = Readonly<Record<string, string | undefined>>;

/** One structured log line for stdout (Cloud Logging reads `severity`, `message` and the labels). */
export type StdoutLog = (line: Record<string, unknown>) => void;

export interface WorkerDeps {
  catalog: PluginCatalog;
  blobs: BlobStore;
  secrets: Secrets;
  /** The key-value store for the kv tasks and kv(); absent: they fail with NOT_SUPPORTED. */
  kv?: KeyValueStore;
  logs: LogStore;
  /** The executions, counted by execution.Count; absent: it fails with NOT_SUPPORTED. */
  executions?: Pick<StateStore, 'count'>;
  clock: Clock;
  /** The runtime's environment, injected: tasks see it as `ctx.env`, `envs` comes from its ALOFT_ variables. */
  env: Env;
  /** Folder under which attempts get their scratch folders (created on first use). */
  tempRoot: string;
  /** Folder for caches kept across attempts and executions (Singer's virtualenvs); absent: none. */
  cacheRoot?: string;
  stdoutLog?: StdoutLog;
  /** Lines below this level are dropped unless the task sets `logLevel`. Default INFO. */
  minLogLevel?: LogLevel;
  /** How long a killed or timed-out task gets to stop before its result is returned. Default 10 s. */
  abortGraceMs?: number;
}

export interface RunAttemptOptions {
  workerId: string;
  /** Aborted to kill the attempt. */
  signal?: AbortSignal;
  /** Kills the attempt, like `signal`, but may make its signal only when someone listens (see LazyAbortController). */
  kill?: KillSource;
  /** When this invocation must stop (e.g. the function's own limit); resumable tasks suspend before it. */
  deadline?: Date;
  /** A child of a WorkingDirectory: the group's folder, which the task uses as its own and leaves in place. */
  workingDir?: string;
}

export type AttemptOutcome =
  | { kind: 'result'; result: WorkerResult }
  | { kind: 'suspended'; continuation: unknown };
