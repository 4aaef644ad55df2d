// Progress of one execution: a live table on a TTY, one line per state change otherwise.
import type { Execution, TaskRun } from '../model/execution';

export interface ProgressSink {
  update(execution: Execution, before: Execution): void;
  finish(execution: Execution): void;
}

const COLORS: Record<string, string> = {
  SUCCESS: '\x1b[32m', WARNING: '\x1b[33m', FAILED: '\x1b[31m', KILLED: '\x1b[35m', RUNNING: '\x1b[36m', PAUSED: '\x1b[34m',
};

function label(run: TaskRun): string {
  return run.value !== undefined ? `${run.taskId}[${run.value}]` : run.taskId;
}

function durationMs(run: { state: { histories: Array<{ date: string }> } }, now: number): number {
  const h = run.state.histories;
  const start = Date.parse(h[0].date);
  const last = Date.parse(h[h.length - 1].date);
  return (['SUCCESS', 'WARNING', 'FAILED', 'KILLED'].includes((run.state as any).current) ? last : now) - start;
}

const fmtMs = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`);

/** One line per state change, for logs and pipes. */
export function lineProgress(write: (s: string) => void): ProgressSink {
  return {
    update(execution, before) {
      if (execution.state.current !== before.state.current || before.version === 0) {
        write(`${execution.state.histories[execution.state.histories.length - 1].date} execution ${execution.id} ${execution.state.current}\n`);
      }
      const old = new Map(before.taskRunList.map((r) => [r.id, r]));
      for (const run of execution.taskRunList) {
        const prev = old.get(run.id);
        if (prev && prev.state.current === run.state.current) continue;
        const h = run.state.histories;
        // Several changes may fold into one pass: print each one.
        const from = prev ? prev.state.histories.length : 0;
        for (const change of h.slice(from)) {
          const err = change.state === 'FAILED' && run.error ? ` ${run.error.message}` : '';
          write(`${change.date} task ${label(run)} ${change.state}${err}\n`);
        }
      }
    },
    finish() { /* every change was printed as it happened */ },
  };
}

/** A table redrawn in place (throttled), with task, state and duration. */
export function ttyProgress(write: (s: string) => void, now: () => number): ProgressSink {
  let lines = 0;
  let last: Execution | undefined;
  let timer: NodeJS.Timeout | undefined;
  const draw = (e: Execution): void => {
    const depth = new Map<string, number>();
    const rows: string[] = [`${e.namespace}.${e.flowId} ${e.id}  ${COLORS[e.state.current] ?? ''}${e.state.current}\x1b[0m  ${fmtMs(durationMs(e, now()))}`];
    for (const run of e.taskRunList) {
      const d = run.parentTaskRunId ? (depth.get(run.parentTaskRunId) ?? 0) + 1 : 0;
      depth.set(run.id, d);
      const state = run.state.current;
      rows.push(`${'  '.repeat(d + 1)}${label(run).padEnd(Math.max(10, 28 - 2 * d))} ${COLORS[state] ?? ''}${state.padEnd(9)}\x1b[0m ${fmtMs(durationMs(run, now()))}`);
    }
    write(`${lines ? `\x1b[${lines}F\x1b[J` : ''}${rows.join('\n')}\n`);
    lines = rows.length;
  };
  return {
    update(execution) {
      last = execution;
      timer ??= setTimeout(() => { timer = undefined; if (last) draw(last); }, 100);
    },
    finish(execution) {
      if (timer) clearTimeout(timer);
      timer = undefined;
      draw(execution);
    },
  };
}
