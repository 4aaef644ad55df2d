// What commands need from the outside world, injected so tests can drive them in-process.
import type { Env } from '../runtime/core/config';

export interface CliIO {
  env: Env;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
  /** Registers a Ctrl-C handler; returns a function that removes it. */
  onInterrupt(handler: () => void): () => void;
}

export const ExitCode = { OK: 0, FAILED: 1, INVALID: 2, INTERRUPTED: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
