// What a chaos run counts, from the executions it started and the marker files their tasks wrote.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TERMINAL = new Set(['SUCCESS', 'WARNING', 'FAILED', 'KILLED', 'CANCELLED', 'SKIPPED']);

export interface ChaosTally {
  /** Executions whose start was acknowledged. */
  submitted: number;
  /** Of those, in a terminal state at the end. */
  ended: number;
  /** Acknowledged, then not found. */
  lost: number;
  /** Found, not terminal when the run gave up waiting. */
  stuck: number;
  /** Final states of every execution of the namespace, subflows included. */
  states: Record<string, number>;
  /** Attempts that ended SUCCESS and whose side effect ran more than once. */
  doubleSuccesses: number;
  /** Attempts whose side effect ran more than once, whatever their end. */
  rerunAttempts: number;
  /** Task runs with more than one attempt beyond the flow's own failing first attempt (lost, then retried). */
  retriedRuns: number;
  /** Up to 10 examples of what went wrong, for the report. */
  examples: string[];
  /**
   * What each execution that did not end SUCCESS went through (subflows included): each task run's
   * states and attempts, and its error. The report keeps 3 (`keepRecords`); the run's folder all.
   */
  failures: FailureRecord[];
}

/** One execution that did not end SUCCESS, as the report keeps it to be explained. */
export interface FailureRecord {
  id: string;
  flowId: string;
  state: string;
  parent?: string;
  taskRuns: Array<{
    taskId: string;
    id: string;
    /** State history, `STATE@time` oldest first. */
    states: string[];
    /** Each attempt's state history. */
    attempts: string[][];
    error?: { code: string; message: string };
  }>;
}

const histories = (state: any): string[] => (state?.histories ?? []).map((h: any) => `${h.state}@${h.date}`);

/** The record of one execution, compact enough for a JSON report line. */
export function failureRecord(e: any): FailureRecord {
  return {
    id: e.id, flowId: e.flowId, state: e.state.current, ...(e.parent?.executionId ? { parent: e.parent.executionId } : {}),
    taskRuns: (e.taskRunList ?? []).map((r: any) => ({
      taskId: r.taskId, id: r.id, states: histories(r.state), attempts: (r.attempts ?? []).map((a: any) => histories(a.state)),
      ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    })),
  };
}

/** Attempt numbers a task run's script wrote, from its marker file. */
function markersOf(markers: string, executionId: string, taskRunId: string): number[] {
  const file = join(markers, `${executionId}-${taskRunId}`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

export function tally(executions: ReadonlyMap<string, any>, acknowledged: ReadonlySet<string>, markers: string): ChaosTally {
  const t: ChaosTally = { submitted: acknowledged.size, ended: 0, lost: 0, stuck: 0, states: {}, doubleSuccesses: 0, rerunAttempts: 0, retriedRuns: 0, examples: [], failures: [] };
  const example = (s: string): void => { if (t.examples.length < 10) t.examples.push(s); };
  for (const id of acknowledged) {
    const e = executions.get(id);
    if (!e) {
      t.lost++;
      example(`execution ${id} was acknowledged and is not found`);
    } else if (TERMINAL.has(e.state.current)) t.ended++;
    else {
      t.stuck++;
      example(`execution ${id} is still ${e.state.current}`);
    }
  }
  for (const e of executions.values()) {
    t.states[e.state.current] = (t.states[e.state.current] ?? 0) + 1;
    if (e.state.current !== 'SUCCESS') t.failures.push(failureRecord(e));
    for (const run of e.taskRunList ?? []) {
      const ran = new Map<number, number>();
      for (const n of markersOf(markers, e.id, run.id)) ran.set(n, (ran.get(n) ?? 0) + 1);
      // The flaky task fails its first attempt on purpose: one more attempt is its due.
      const due = run.taskId === 'flaky' ? 2 : 1;
      if (run.attempts.length > due) t.retriedRuns++;
      run.attempts.forEach((a: any, n: number) => {
        const times = ran.get(n) ?? 0;
        if (times > 1) t.rerunAttempts++;
        if (times > 1 && a.state.current === 'SUCCESS') {
          t.doubleSuccesses++;
          example(`attempt ${n} of ${e.id}/${run.taskId} succeeded and ran ${times} times`);
        }
      });
    }
  }
  return t;
}

/**
 * Writes every failure record to `failures.json` in the run's folder (kept with --keep) and leaves
 * the first 3 in the tally, so that the report stays one readable line.
 */
export function keepRecords(t: ChaosTally, dir: string): ChaosTally {
  writeFileSync(join(dir, 'failures.json'), `${JSON.stringify(t.failures, null, 1)}\n`);
  return { ...t, failures: t.failures.slice(0, 3) };
}

/** The goals: every execution ends, none is lost or stuck, no success ran twice. */
export const goalsMet = (t: ChaosTally): boolean => t.ended === t.submitted && t.lost === 0 && t.stuck === 0 && t.doubleSuccesses === 0;

/** A seeded generator of floats in [0, 1) (mulberry32): a run is repeated by its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
