// The `aloft` command. `main` returns an exit code; bin/aloft.js sets it.
import { Command, CommanderError } from 'commander';
import { readFile } from 'node:fs/promises';
import { catalog } from '../plugins/catalog';
import type { Env } from '../runtime/core/config';
import { ExitCode, type CliIO } from './io';
import { runCommand } from './run';
import { validateFiles } from './validate';
import { registerServerCommands } from './server';
import { devCommand } from './dev';
import { listPlugins } from './plugins';
import { registerCompletion } from './completion';
import { version } from '../../package.json';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function processIO(env: Env): CliIO {
  // A closed pipe (`aloft run ... | head`) is not an error worth a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; });
  }
  return {
    env,
    stdout: (s) => { process.stdout.write(s); },
    stderr: (s) => { process.stderr.write(s); },
    isTTY: !!process.stdout.isTTY,
    onInterrupt(handler) {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => { process.off('SIGINT', handler); process.off('SIGTERM', handler); };
    },
  };
}

export async function main(argv: string[], env: Env, io: CliIO = processIO(env)): Promise<number> {
  let code: number = ExitCode.OK;
  const program = new Command('aloft')
    .description('Run Kestra-style YAML flows, embedded or on Google Cloud')
    .version(version, '-V, --version', 'print the version of aloft')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program.command('run')
    .description('run one execution of a flow on the embedded runtime, to the end')
    .argument('<flow>', 'the flow YAML file')
    .option('-i, --input <key=value>', 'an input value (repeatable)', collect, [])
    .option('-f, --file <key=path>', 'a FILE input (repeatable)', collect, [])
    .option('--flows <dir>', 'a folder of other flows (subflows, flow triggers)')
    .option('--data <dir>', 'keep state in this data directory (SQLite); default: in memory, gone when the run ends')
    .option('--json', 'print the final execution as JSON')
    .action(async (flow: string, opts: { input: string[]; file: string[]; flows?: string; data?: string; json?: boolean }) => {
      code = await runCommand(flow, { inputs: opts.input, files: opts.file, flows: opts.flows, data: opts.data, json: opts.json }, io);
    });

  program.command('validate')
    .description('check flow files; exits 0 when all are valid, 2 otherwise')
    .argument('<files...>', 'flow YAML files')
    .action(async (files: string[]) => {
      code = await validateFiles(files, { readFile: (p: string) => readFile(p, 'utf8'), catalog: catalog(), stdout: io.stdout, stderr: io.stderr });
    });

  program.command('dev')
    .description('the emulated cloud on 127.0.0.1: emulators and every function, wired as infra/ wires them')
    .option('-p, --port <port>', 'port of the api function (default: a free one)', Number)
    .option('--flows <dir>', 'a folder of flows to create once everything is up')
    .option('--json-logs', 'print the functions\' log lines as JSON')
    .option('--pubsub-topic <topic>', 'a user topic for Pub/Sub triggers (repeatable)', collect, [])
    .action(async (o: { port?: number; flows?: string; jsonLogs?: boolean; pubsubTopic: string[] }) => {
      code = await devCommand({ port: o.port, flows: o.flows, jsonLogs: o.jsonLogs, pubsubTopics: o.pubsubTopic }, io);
    });

  program.command('plugins').description('the task types this aloft knows')
    .command('list').description('every task type with its group and status (runs, validates only)')
    .option('--json', 'print them as JSON')
    .action((o: { json?: boolean }) => { code = listPlugins(o, io); });

  registerServerCommands(program, io, (c) => { code = c; });
  registerCompletion(program, io, (c) => { code = c; });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.OK : ExitCode.INVALID;
    throw err;
  }
  return code;
}
