// A task run's logger: lines go to the LogStore in batches and, one JSON object each, to stdout.
// Secret values are masked before a line leaves the worker.
import type { LogLevel as PluginLogLevel, TaskLogger } from '../plugins/types';
import { LOG_LEVELS, type LogLevel, type LogLine, type LogStore } from '../ports/log-store';
import type { Clock } from '../ports/system';
import type { StdoutLog } from './types';
import { isoOf } from './iso';

const RANK: Readonly<Record<string, number>> = Object.fromEntries(LOG_LEVELS.map((l, i) => [l, i]));
const SEVERITY: Readonly<Record<LogLevel, string>> = { TRACE: 'DEBUG', DEBUG: 'DEBUG', INFO: 'INFO', WARN: 'WARNING', ERROR: 'ERROR' };
const BATCH = 200;
const FLUSH_MS = 1000;
export const MASK = '******';
/** Characters of one log line kept; the rest of a longer line is cut. */
export const MAX_LOG_LINE_CHARS = 64 * 1024;
/** Characters of log lines one attempt may store; later lines are dropped and counted. */
export const MAX_ATTEMPT_LOG_CHARS = 8 * 1024 * 1024;

/** Parses a `logLevel` property; unknown values fall back. */
export function parseLevel(v: unknown, fallback: LogLevel): LogLevel {
  const up = typeof v === 'string' ? v.toUpperCase() : '';
  return up in RANK ? (up as LogLevel) : up === 'WARNING' ? 'WARN' : fallback;
}

/**
 * Replaces every known secret in a text, in every form it can take there: whole, each of its lines
 * (a script prints a multi-line secret one log line at a time), escaped as in JSON, and any prefix
 * of ANCHOR characters or more (an error message that quotes a value cut short).
 */
export class SecretMask {
  // Made on the first secret: most attempts read none.
  private values: string[] | undefined;
  private forms: string[] = [];
  add(value: string): void {
    if (value.length === 0 || this.values?.includes(value)) return;
    (this.values ??= []).push(value);
    const forms = new Set(this.forms);
    forms.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) forms.add(escaped);
    if (/[\r\n]/.test(value)) {
      for (const line of value.split(/\r?\n|\r/)) if (line.trim().length >= MIN_LINE) forms.add(line.trim());
    }
    // Longest first, so a secret that contains another is masked whole.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }
  apply(text: string): string {
    let out = text;
    for (const form of this.forms) out = form.length > ANCHOR ? maskPrefixes(out, form) : out.includes(form) ? out.split(form).join(MASK) : out;
    return out;
  }
  get empty(): boolean {
    return this.values === undefined;
  }
}

/** A line of a multi-line secret shorter than this (a brace, a blank) is not worth hiding everywhere. */
const MIN_LINE = 4;
/** Prefixes of a secret this long or longer are masked: the secret cut short is still the secret. */
const ANCHOR = 16;

/** Masks every run of text that matches `form` from its start for at least ANCHOR characters. */
function maskPrefixes(text: string, form: string): string {
  const anchor = form.slice(0, ANCHOR);
  let at = text.indexOf(anchor);
  if (at < 0) return text;
  let out = '';
  let from = 0;
  while (at >= 0) {
    let end = at + ANCHOR;
    while (end < text.length && end - at < form.length && text[end] === form[end - at]) end++;
    out += text.slice(from, at) + MASK;
    from = end;
    at = text.indexOf(anchor, end);
  }
  return out + text.slice(from);
}

export interface LogLabels {
  executionId: string;
  taskRunId: string;
  taskId: string;
  attempt: number;
  flowId: string;
  namespace: string;
}

export class AttemptLogger implements TaskLogger {
  // Made on the first line kept: a quick task often logs nothing above the level (Return logs at DEBUG).
  private buffer: LogLine[] | undefined;
  private pending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private sent = false;
  private readonly min: number;
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly labels: LogLabels,
    private readonly store: LogStore | undefined,
    private readonly clock: Clock,
    private readonly mask: SecretMask,
    minLevel: LogLevel,
    private readonly stdout?: StdoutLog,
  ) {
    this.min = RANK[minLevel];
  }

  log(level: PluginLogLevel, message: string): void {
    if (RANK[level] === undefined || RANK[level] < this.min) return;
    // Memory stays flat whatever a task prints: lines are cut, and past the attempt's budget dropped.
    if (this.kept >= MAX_ATTEMPT_LOG_CHARS) {
      this.dropped++;
      return;
    }
    let text = this.mask.empty ? String(message) : this.mask.apply(String(message));
    if (text.length > MAX_LOG_LINE_CHARS) text = `${text.slice(0, MAX_LOG_LINE_CHARS)}… [line cut at ${MAX_LOG_LINE_CHARS} characters]`;
    this.kept += text.length;
    this.write(level, text);
    if (this.kept >= MAX_ATTEMPT_LOG_CHARS) {
      this.write('WARN', `the task's logs reached ${MAX_ATTEMPT_LOG_CHARS} characters; later lines are dropped`);
    }
  }

  private write(level: PluginLogLevel, text: string): void {
    const l = this.labels;
    const timestamp = isoOf(this.clock.now());
    if (this.store) {
      (this.buffer ??= []).push({
        executionId: l.executionId, taskRunId: l.taskRunId, taskId: l.taskId, attempt: l.attempt, flowId: l.flowId,
        namespace: l.namespace, level, message: text, timestamp,
      });
      if (this.buffer.length >= BATCH) this.flush();
      else if (!this.timer) {
        this.timer = setTimeout(() => this.flush(), FLUSH_MS);
        this.timer.unref();
      }
    }
    if (this.stdout) {
      const labels = { executionId: l.executionId, taskRunId: l.taskRunId, flowId: l.flowId, namespace: l.namespace };
      this.stdout({
        severity: SEVERITY[level], message: text, time: timestamp, taskId: l.taskId, attempt: l.attempt, labels,
        'logging.googleapis.com/labels': labels,
      });
    }
  }

  trace(message: string): void { this.log('TRACE', message); }
  debug(message: string): void { this.log('DEBUG', message); }
  info(message: string): void { this.log('INFO', message); }
  warn(message: string): void { this.log('WARN', message); }
  error(message: string): void { this.log('ERROR', message); }

  /** Sends buffered lines; a failing log store never fails the task. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.buffer || this.buffer.length === 0 || !this.store) return;
    const lines = this.buffer;
    this.buffer = undefined;
    this.sent = true;
    const store = this.store;
    this.pending = (this.pending ?? Promise.resolve()).then(() => store.append(lines)).catch((err: unknown) => {
      this.stdout?.({ severity: 'WARNING', message: `task logs could not be stored: ${(err as Error)?.message ?? String(err)}`, labels: { executionId: this.labels.executionId } });
    });
  }

  /** Flushes and waits for every batch; undefined when nothing was ever logged (no await needed). */
  close(): Promise<void> | undefined {
    if (this.dropped > 0) {
      this.write('WARN', `${this.dropped} log lines were dropped past the limit`);
      this.dropped = 0;
    }
    if (!this.buffer?.length && !this.sent) return undefined;
    this.flush();
    return this.pending;
  }
}
