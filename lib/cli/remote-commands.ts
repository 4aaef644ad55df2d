// Registers the remote commands beyond `flow deploy` and `execution start|get|logs|kill`
// (lib/cli/server.ts): flow list|get|validate (flow delete: flow-dependencies.ts), execution list|follow|restart|replay|resume|delete.
import type { Command } from 'commander';
import type { CliIO } from './io';
import type { RemoteOptions } from './remote';
import { getFlow, listFlows, validateRemote } from './remote-flows';
import {
  deleteExecution, followExecution, listExecutions, replayExecution, restartExecution, resumeExecution, type ListOptions,
} from './remote-executions';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerRemoteCommands(
  parents: { flow: Command; execution: Command }, remote: (cmd: Command) => Command, io: CliIO, setCode: (code: number) => void,
): void {
  const { flow, execution } = parents;
  remote(flow.command('list').description('list flows (latest revisions), one line each')
    .option('-n, --namespace <ns>', 'only this namespace and its sub-namespaces')
    .option('--json', 'print them as JSON'))
    .action(async (o: RemoteOptions & { namespace?: string }) => { setCode(await listFlows(o, io)); });
  remote(flow.command('get').description("print a flow's YAML source").argument('<namespace>').argument('<id>')
    .option('--revision <n>', 'an older revision')
    .option('--json', 'print the flow as JSON'))
    .action(async (ns: string, id: string, o: RemoteOptions & { revision?: string }) => { setCode(await getFlow(ns, id, o, io)); });
  remote(flow.command('validate').description("validate flow files with the server's catalog; exits 0 when all are valid, 2 otherwise")
    .argument('<files...>', 'flow YAML files'))
    .action(async (files: string[], o: RemoteOptions) => { setCode(await validateRemote(files, o, io)); });

  remote(execution.command('list').description('list executions, newest first')
    .option('-n, --namespace <ns>', 'only this namespace')
    .option('--flow <id>', 'only this flow')
    .option('--state <state>', 'only this state (repeatable)', collect, [])
    .option('--size <n>', 'how many (default 25)')
    .option('--json', 'print them as JSON'))
    .action(async (o: ListOptions) => { setCode(await listExecutions(o, io)); });
  remote(execution.command('follow').description('print state changes and logs until the execution ends or pauses; exit 1 when it FAILED or was KILLED')
    .argument('<executionId>')
    .option('--json', 'also print the final execution as JSON'))
    .action(async (id: string, o: RemoteOptions) => { setCode(await followExecution(id, o, io)); });
  remote(execution.command('restart').description('restart a FAILED or KILLED execution from its failed task runs').argument('<executionId>')
    .option('--json', 'print the execution as JSON'))
    .action(async (id: string, o: RemoteOptions) => { setCode(await restartExecution(id, o, io)); });
  remote(execution.command('replay').description('start a new execution that runs again from a task run (from the start without one)')
    .argument('<executionId>')
    .option('--task-run <id>', 'the task run to run again')
    .option('--json', 'print the new execution as JSON'))
    .action(async (id: string, o: RemoteOptions & { taskRun?: string }) => { setCode(await replayExecution(id, o, io)); });
  remote(execution.command('resume').description('resume a PAUSED execution').argument('<executionId>')
    .option('-i, --input <key=value>', 'an input of the Pause task (repeatable)', collect, [])
    .option('--json', 'print the execution as JSON'))
    .action(async (id: string, o: RemoteOptions & { input: string[] }) => { setCode(await resumeExecution(id, { ...o, inputs: o.input }, io)); });
  remote(execution.command('delete').description('delete an ended execution with its task runs, logs and files (kill a running one first)')
    .argument('<executionId>')
    .option('--keep-logs', 'keep its logs')
    .option('--keep-files', 'keep its files in internal storage'))
    .action(async (id: string, o: RemoteOptions & { keepLogs?: boolean; keepFiles?: boolean }) => { setCode(await deleteExecution(id, o, io)); });
}
