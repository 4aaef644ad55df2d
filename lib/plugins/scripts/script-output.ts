// Kestra's script protocol: a stdout line `::{"outputs":{...},"metrics":[...]}::` sets outputs
// and records metrics.
import { parseDurationMs } from '../../model/duration';
import type { TaskMetrics } from '../types';

const PATTERN = /^::(\{.*\})::$/;

export interface ParsedLine {
  outputs?: Record<string, unknown>;
  /** Set when the line looked like a command but did not parse. */
  invalid?: string;
}

export function parseScriptLine(line: string, metrics: TaskMetrics): ParsedLine | undefined {
  const m = PATTERN.exec(line.trim());
  if (!m) return undefined;
  let command: { outputs?: unknown; metrics?: unknown };
  try {
    command = JSON.parse(m[1]);
  } catch (err) {
    return { invalid: (err as Error).message };
  }
  for (const metric of Array.isArray(command.metrics) ? command.metrics : []) record(metric, metrics);
  const outputs = command.outputs;
  return outputs && typeof outputs === 'object' && !Array.isArray(outputs) ? { outputs: outputs as Record<string, unknown> } : {};
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
