// Structured logs of the cloud handlers: one JSON object per line on stdout, which Cloud Logging
// reads (`severity`, `message`, and `logging.googleapis.com/labels`). The labels are the ones the
// task logs carry too, so one filter on executionId shows everything about an execution.
import { toErrorData, type AloftErrorData } from '../../model/errors';
import type { Clock } from '../../ports/system';

export const Severity = { DEBUG: 'DEBUG', INFO: 'INFO', WARNING: 'WARNING', ERROR: 'ERROR' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export interface LogLabels {
  executionId?: string;
  taskRunId?: string;
  flowId?: string;
  namespace?: string;
}

export type LogSink = (line: Record<string, unknown>) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const LABEL_KEYS = ['executionId', 'taskRunId', 'flowId', 'namespace'] as const;

export class CloudLog {
  constructor(private readonly sink: LogSink, private readonly clock: Clock, private readonly component: string) {}

  /** The same sink, another component name (executor, worker-core, scheduler...). */
  child(component: string): CloudLog {
    return new CloudLog(this.sink, this.clock, component);
  }

  info(message: string, labels?: LogLabels, extra?: Record<string, unknown>): void {
    this.write(Severity.INFO, message, labels, extra);
  }

  warn(message: string, labels?: LogLabels, extra?: Record<string, unknown>): void {
    this.write(Severity.WARNING, message, labels, extra);
  }

  /** An error line with the error's code and message (never its stack: users see codes, not traces). */
  error(message: string, err: unknown, labels?: LogLabels, extra?: Record<string, unknown>): AloftErrorData {
    const error = toErrorData(err);
    this.write(Severity.ERROR, `${message}: ${error.message}`, labels, { ...extra, error });
    return error;
  }

  write(severity: Severity, message: string, labels: LogLabels = {}, extra: Record<string, unknown> = {}): void {
    const clean: Record<string, string> = {};
    for (const k of LABEL_KEYS) if (labels[k] !== undefined) clean[k] = labels[k] as string;
    try {
      this.sink({
        severity, message, time: this.clock.now().toISOString(), component: this.component, ...extra,
        labels: clean, 'logging.googleapis.com/labels': clean,
      });
    } catch {
      // A log line that cannot be written (a closed pipe) must not fail the invocation.
    }
  }
}
