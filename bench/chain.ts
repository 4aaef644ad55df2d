// The shape every burst benchmark uses: a flow of chained Return tasks, and the lag of its task runs.
import type { Execution, TaskRun } from '../lib/model/execution';

/** A flow `bench.{id}` of `tasks` Return tasks, each formatting the previous one's output. */
export function chainedFlowYaml(tasks: number, id = 'burst'): string {
  const lines = [`id: ${id}`, 'namespace: bench', 'tasks:'];
  for (let i = 0; i < tasks; i++) {
    lines.push(`  - id: t${i}`, '    type: io.kestra.core.tasks.debugs.Return');
    lines.push(i === 0 ? '    format: "start"' : `    format: "{{ outputs.t${i - 1}.value | length }}-${i}"`);
  }
  return lines.join('\n');
}

/** A flow `bench.{id}`: one ForEach over `values` values (one after the other, its default), each running one Return. */
export function forEachFlowYaml(values: number, id = 'burst-foreach'): string {
  return [
    `id: ${id}`, 'namespace: bench', 'tasks:',
    '  - id: loop', '    type: io.kestra.plugin.core.flow.ForEach',
    `    values: [${Array.from({ length: values }, (_, i) => i).join(', ')}]`,
    '    tasks:',
    '      - id: t', '        type: io.kestra.core.tasks.debugs.Return', '        format: "{{ taskrun.value }}"',
  ].join('\n');
}

/** One task run's wait from its creation to its attempt running (the worker's start); undefined if it never ran. */
export function lagMs(run: TaskRun): number | undefined {
  const running = run.state.histories.find((h) => h.state === 'RUNNING');
  return running ? Date.parse(running.date) - Date.parse(run.state.histories[0].date) : undefined;
}

/** The lag of every task run that ran. */
export function lagsMs(executions: readonly Execution[]): number[] {
  const lags: number[] = [];
  for (const e of executions) {
    for (const run of e.taskRunList) {
      const lag = lagMs(run);
      if (lag !== undefined) lags.push(lag);
    }
  }
  return lags;
}
