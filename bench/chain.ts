// The shape every burst benchmark uses: a flow of chained Return tasks, and the lag of its task runs.
import type { Execution } from '../lib/model/execution';

/** A flow `bench.{id}` of `tasks` Return tasks, each formatting the previous one's output. */
export function chainedFlowYaml(tasks: number, id = 'burst'): string {
  const lines = [`id: ${id}`, 'namespace: bench', 'tasks:'];
  for (let i = 0; i < tasks; i++) {
    lines.push(`  - id: t${i}`, '    type: io.kestra.core.tasks.debugs.Return');
    lines.push(i === 0 ? '    format: "start"' : `    format: "{{ outputs.t${i - 1}.value | length }}-${i}"`);
  }
  return lines.join('\n');
}

/** Per task run: from its creation to its attempt running (the worker's start). */
export function lagsMs(executions: readonly Execution[]): number[] {
  const lags: number[] = [];
  for (const e of executions) {
    for (const run of e.taskRunList) {
      const created = Date.parse(run.state.histories[0].date);
      const running = run.state.histories.find((h) => h.state === 'RUNNING');
      if (running) lags.push(Date.parse(running.date) - created);
    }
  }
  return lags;
}
