// What a chaos run counts, from the executions it started and the marker files their tasks wrote.
import { existsSync, readFileSync } from 'node:fs';
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
}

/** Attempt numbers a task run's script wrote, from its marker file. */
function markersOf(markers: string, executionId: string, taskRunId: string): number[] {
  const file = join(markers, `${executionId}-${taskRunId}`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

export function tally(executions: ReadonlyMap<string, any>, acknowledged: ReadonlySet<string>, markers: string): ChaosTally {
  const t: ChaosTally = { submitted: acknowledged.size, ended: 0, lost: 0, stuck: 0, states: {}, doubleSuccesses: 0, rerunAttempts: 0, retriedRuns: 0, examples: [] };
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
