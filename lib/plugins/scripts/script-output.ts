// Kestra's script protocol: a stdout line `::{"outputs":{...},"metrics":[...],"logs":[...]}::` sets
// outputs, records metrics and writes log lines.
import { parseDurationMs } from '../../model/duration';
import type { LogLevel, TaskMetrics } from '../types';

const PATTERN = /^::(\{.*\})::$/;
const LEVELS: ReadonlySet<string> = new Set<LogLevel>(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);

export interface ParsedLine {
  outputs?: Record<string, unknown>;
  /** `logs` entries with a known level. */
  logs?: { level: LogLevel; message: string }[];
  /** Set when the line looked like a command but did not parse. */
  invalid?: string;
}

export function parseScriptLine(line: string, metrics: TaskMetrics): ParsedLine | undefined {
  const m = PATTERN.exec(line.trim());
  if (!m) return undefined;
  let command: { outputs?: unknown; metrics?: unknown; logs?: unknown };
  try {
    command = JSON.parse(m[1]);
  } catch (err) {
    return { invalid: (err as Error).message };
  }
  for (const metric of Array.isArray(command.metrics) ? command.metrics : []) record(metric, metrics);
  const parsed: ParsedLine = {};
  const outputs = command.outputs;
  if (outputs && typeof outputs === 'object' && !Array.isArray(outputs)) parsed.outputs = outputs as Record<string, unknown>;
  if (Array.isArray(command.logs)) parsed.logs = command.logs.flatMap(logLine);
  return parsed;
}

function logLine(entry: unknown): { level: LogLevel; message: string }[] {
  if (!entry || typeof entry !== 'object') return [];
  const { level, message } = entry as { level?: unknown; message?: unknown };
  const upper = typeof level === 'string' ? level.toUpperCase() : 'INFO';
  if (!LEVELS.has(upper) || message === undefined) return [];
  return [{ level: upper as LogLevel, message: typeof message === 'string' ? message : JSON.stringify(message) }];
}

function record(metric: unknown, metrics: TaskMetrics): void {
  if (!metric || typeof metric !== 'object') return;
  const { name, type, value } = metric as { name?: unknown; type?: unknown; value?: unknown };
  if (typeof name !== 'string') return;
  if (type === 'timer') {
    // Kestra timers are durations: ISO text, or a number of seconds.
    const ms = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms !== undefined) metrics.timer(name, ms);
  } else if (typeof value === 'number') {
    metrics.counter(name, value);
  }
}
