// Task run logs, kept where the API can return them. Lines are appended in batches by workers.
import { z } from 'zod';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

/** Rank of a level, for `minLevel` filters: TRACE 0 ... ERROR 4. */
export const logLevelRank = (level: LogLevel): number => LOG_LEVELS.indexOf(level);

export const LogLine = z.object({
  executionId: z.string(),
  taskRunId: z.string().optional(),
  taskId: z.string().optional(),
  attempt: z.number().int().nonnegative().optional(),
  flowId: z.string(),
  namespace: z.string(),
  level: LogLevel,
  message: z.string(),
  /** ISO-8601. */
  timestamp: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

export interface LogFilter {
  taskRunId?: string;
  /** Only lines at this level or above. */
  minLevel?: LogLevel;
}

export interface LogStore {
  append(lines: readonly LogLine[]): Promise<void>;
  /** The execution's lines in the order they were appended. */
  list(executionId: string, filter?: LogFilter): Promise<LogLine[]>;
  /** Removes every line of the execution (it is being deleted); none is fine. */
  delete(executionId: string): Promise<void>;
}
