// Progress of one execution: a live table on a TTY, one line per state change otherwise.
// Task logs are shown too: every line when piped, the latest few under the table on a TTY.
import type { Execution, TaskRun } from '../model/execution';
import { isTerminal, type State } from '../model/states';

export interface LogLineView {
  time?: string;
  severity?: string;
  taskId?: string;
  message?: string;
}

export interface ProgressSink {
  update(execution: Execution, before: Execution): void;
  log(line: LogLineView): void;
  finish(execution: Execution): void;
}

const COLORS: Partial<Record<State, string>> = {
  SUCCESS: '\x1b[32m', WARNING: '\x1b[33m', FAILED: '\x1b[31m', KILLED: '\x1b[35m', RUNNING: '\x1b[36m', PAUSED: '\x1b[34m',
};
const RESET = '\x1b[0m';

const label = (run: TaskRun): string => (run.value !== undefined ? `${run.taskId}[${run.value}]` : run.taskId);

function durationMs(record: { current: State; histories: Array<{ date: string }> }, now: number): number {
  const h = record.histories;
  const end = isTerminal(record.current) ? Date.parse(h[h.length - 1].date) : now;
  return end - Date.parse(h[0].date);
}

const fmtMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`);
const logText = (l: LogLineView): string => `${l.time ?? ''} ${(l.severity ?? 'INFO').padEnd(7)} ${l.taskId ?? ''}: ${l.message ?? ''}`;

/** Every state change since `before`, in time order (several may fold into one pass). */
export function changes(execution: Execution, before: Execution): Array<{ date: string; text: string }> {
  // rank orders changes made at the same instant: the execution starting, then tasks, then the execution
  // ending. Among tasks, `nest` puts a parent's start before its children's and its end after theirs.
  const out: Array<{ date: string; text: string; rank: number; nest: number }> = [];
  const old = new Map(before.taskRunList.map((r) => [r.id, r]));
  const depth = new Map<string, number>();
  for (const run of execution.taskRunList) depth.set(run.id, run.parentTaskRunId ? (depth.get(run.parentTaskRunId) ?? 0) + 1 : 0);
  for (const run of execution.taskRunList) {
    const prev = old.get(run.id);
    if (prev === run) continue;
    const d = depth.get(run.id) ?? 0;
    for (const change of run.state.histories.slice(prev ? prev.state.histories.length : 0)) {
      const err = change.state === 'FAILED' && run.error ? ` ${run.error.message}` : '';
      out.push({ date: change.date, text: `task ${label(run)} ${change.state}${err}`, rank: 1, nest: isTerminal(change.state) ? -d : d });
    }
  }
  const fromExec = before.version === 0 ? 1 : before.state.histories.length;
  for (const change of execution.state.histories.slice(fromExec)) {
    out.push({ date: change.date, text: `execution ${execution.id} ${change.state}`, rank: isTerminal(change.state) ? 2 : 0, nest: 0 });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.rank - b.rank || a.nest - b.nest));
}

/** One line per state change and per log line, for logs and pipes. */
export function lineProgress(write: (s: string) => void): ProgressSink {
  return {
    update(execution, before) {
      for (const c of changes(execution, before)) write(`${c.date} ${c.text}\n`);
    },
    log(line) { write(`${logText(line)}\n`); },
    finish() { /* every change was printed as it happened */ },
  };
}

/** Whether to colour a terminal's output: not when NO_COLOR is set to anything but the empty string (no-color.org). */
export const colorWanted = (env: Readonly<Record<string, string | undefined>>): boolean => !env.NO_COLOR;

/** A table redrawn in place (throttled), with task, state and duration, and the latest log lines. */
export function ttyProgress(write: (s: string) => void, now: () => number, keepLogs = 6, color = true): ProgressSink {
  const paint = (s: State): string => (color ? COLORS[s] ?? '' : '');
  const reset = color ? RESET : '';
  let lines = 0;
  let last: Execution | undefined;
  let timer: NodeJS.Timeout | undefined;
  const logs: string[] = [];
  const draw = (e: Execution): void => {
    const depth = new Map<string, number>();
    const rows = [`${e.namespace}.${e.flowId} ${e.id}  ${paint(e.state.current)}${e.state.current}${reset}  ${fmtMs(durationMs(e.state, now()))}`];
    for (const run of e.taskRunList) {
      const d = run.parentTaskRunId ? (depth.get(run.parentTaskRunId) ?? 0) + 1 : 0;
      depth.set(run.id, d);
      const s = run.state.current;
      rows.push(`${'  '.repeat(d + 1)}${label(run).padEnd(Math.max(10, 28 - 2 * d))} ${paint(s)}${s.padEnd(9)}${reset} ${fmtMs(durationMs(run.state, now()))}`);
    }
    if (logs.length) rows.push('', ...logs);
    write(`${lines ? `\x1b[${lines}F\x1b[J` : ''}${rows.join('\n')}\n`);
    lines = rows.length;
  };
  const schedule = (): void => {
    timer ??= setTimeout(() => { timer = undefined; if (last) draw(last); }, 100);
  };
  return {
    update(execution) { last = execution; schedule(); },
    log(line) {
      logs.push(logText(line).slice(0, 200));
      if (logs.length > keepLogs) logs.shift();
      schedule();
    },
    finish(execution) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      draw(execution);
    },
  };
}
