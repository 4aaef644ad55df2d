// `aloft server`: the API, the scheduler and the triggers on the embedded runtime, on 127.0.0.1.
// Also registers the remote commands (`flow deploy`, `execution ...`), which talk to any server.
import type { Command } from 'commander';
import { ApiToken, type AuthConfig } from '../api/auth';
import { AloftError, ErrorCode } from '../model/errors';
import { openDataDir } from '../runtime/embedded/data-dir';
import { LocalServer } from '../wiring/local-server';
import { emulatorPubSubSource } from '../wiring/pubsub-triggers';
import { registerFlowDependencyCommands } from './flow-dependencies';
import { ExitCode, type CliIO } from './io';
import { deployFlows, getRemote, killRemote, logsRemote, startRemote } from './remote';
import { registerRemoteCommands } from './remote-commands';
import { reportError } from './run';

export interface ServerOptions {
  port?: string;
  flows?: string;
  token: string[];
  readToken: string[];
  privateWebhooks?: boolean;
  data?: string;
  memory?: boolean;
}

/** How long running tasks may finish when the server is asked to stop (Ctrl-C, SIGTERM). */
const STOP_GRACE_MS = 10_000;

/** Where `aloft server` keeps its state unless told otherwise. */
export const DEFAULT_DATA_DIR = '.aloft/data';

export function authFrom(opts: ServerOptions, io: CliIO): AuthConfig | undefined {
  const admin = opts.token.length > 0 ? opts.token : (io.env.ALOFT_API_TOKEN ? [io.env.ALOFT_API_TOKEN] : []);
  const tokens = [...admin.map((token) => ({ token, scope: 'admin' as const })), ...opts.readToken.map((token) => ({ token, scope: 'read' as const }))];
  for (const t of tokens) {
    const r = ApiToken.safeParse(t);
    if (!r.success) throw new AloftError(ErrorCode.CONFIG_INVALID, `--token: ${r.error.issues[0].message}`);
  }
  if (tokens.length === 0) {
    if (opts.privateWebhooks) throw new AloftError(ErrorCode.CONFIG_INVALID, '--private-webhooks needs --token');
    return undefined;
  }
  return { tokens, webhooksPublic: !opts.privateWebhooks };
}

/** Runs until Ctrl-C. Exit 0 after a clean stop, 2 when a flow of --flows is invalid. */
export async function serverCommand(opts: ServerOptions, io: CliIO): Promise<number> {
  let server: LocalServer | undefined;
  try {
    const port = opts.port === undefined ? 8080 : Number(opts.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AloftError(ErrorCode.CONFIG_INVALID, `--port must be a port number, got ${opts.port}`);
    const auth = authFrom(opts, io);
    const dataDir = opts.memory ? undefined : (opts.data ?? DEFAULT_DATA_DIR);
    server = new LocalServer({
      env: io.env, port, flowsDir: opts.flows, auth, pubsubSource: emulatorPubSubSource,
      log: (line) => io.stderr(`${JSON.stringify(line)}\n`),
      ...(dataDir ? { adapters: await openDataDir(dataDir) } : {}),
    });
    const { url } = await server.listen();
    io.stdout(`aloft server listening on ${url}${opts.flows ? ` with the flows of ${opts.flows}` : ''}; ${dataDir ? `data in ${dataDir}` : 'data in memory'}\n`);
    io.stdout(`the web UI: ${url}/ui/\n`);
    await new Promise<void>((resolve) => {
      const remove = io.onInterrupt(() => { remove(); resolve(); });
    });
    // Running tasks get a grace period to finish; whatever is still running then is stopped and, on a
    // data directory, retried as lost on the next start.
    io.stderr(`stopping (running tasks get ${STOP_GRACE_MS / 1000} s to finish)\n`);
    await server.stop({ graceMs: STOP_GRACE_MS });
    return ExitCode.OK;
  } catch (err) {
    await server?.stop().catch(() => undefined);
    return reportError(err, io);
  }
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Adds `server`, the `flow` commands and the `execution` commands to the program. */
export function registerServerCommands(program: Command, io: CliIO, setCode: (code: number) => void): void {
  program.command('server')
    .description('serve the API, schedules, flow triggers, webhooks and Pub/Sub triggers on 127.0.0.1')
    .option('-p, --port <port>', 'the port (0 picks a free one)', '8080')
    .option('--flows <dir>', 'load every flow of this folder at start')
    .option('--token <token>', 'a bearer token with every right (repeatable; default $ALOFT_API_TOKEN)', collect, [])
    .option('--read-token <token>', 'a bearer token that may only read (repeatable)', collect, [])
    .option('--private-webhooks', 'webhooks need a token too (by default their key is enough)')
    .option('--data <dir>', `keep flows, executions, logs and trigger state in this data directory (SQLite; default ${DEFAULT_DATA_DIR})`)
    .option('--memory', 'keep everything in memory instead: gone when the server stops')
    .action(async (opts: ServerOptions) => { setCode(await serverCommand(opts, io)); });

  const remote = (cmd: Command): Command => cmd
    .option('--server <url>', 'the server (default $ALOFT_SERVER or http://127.0.0.1:8080)')
    .option('--token <token>', 'a bearer token (default $ALOFT_API_TOKEN)');

  const flow = program.command('flow').description('manage flows on a server');
  remote(flow.command('deploy')
    .description('create or update flows from YAML files (a new revision each time one changes)')
    .argument('<files...>', 'flow YAML files'))
    .action(async (files: string[], opts: { server?: string; token?: string }) => { setCode(await deployFlows(files, opts, io)); });
  registerFlowDependencyCommands(flow, remote, io, setCode);

  const execution = program.command('execution').description('start and follow executions on a server');
  remote(execution.command('start')
    .description('start an execution of the latest revision of a flow')
    .argument('<namespace>').argument('<flowId>')
    .option('-i, --input <key=value>', 'an input value (repeatable)', collect, [])
    .option('-f, --file <key=path>', 'a FILE input (repeatable)', collect, [])
    .option('--wait', 'wait until it ends; exit 1 when it FAILED or was KILLED')
    .option('--json', 'print the execution as JSON'))
    .action(async (namespace: string, flowId: string, opts: { input: string[]; file: string[]; wait?: boolean; json?: boolean; server?: string; token?: string }) => {
      setCode(await startRemote(namespace, flowId, { ...opts, inputs: opts.input, files: opts.file }, io));
    });
  remote(execution.command('get').description('print an execution as JSON').argument('<executionId>'))
    .action(async (id: string, opts: { server?: string; token?: string }) => { setCode(await getRemote(id, opts, io)); });
  remote(execution.command('logs').description("print an execution's logs").argument('<executionId>')
    .option('--task-run <id>', 'only this task run')
    .option('--json', 'print the lines as JSON'))
    .action(async (id: string, opts: { server?: string; token?: string; taskRun?: string; json?: boolean }) => { setCode(await logsRemote(id, opts, io)); });
  remote(execution.command('kill').description('kill a running execution').argument('<executionId>'))
    .action(async (id: string, opts: { server?: string; token?: string }) => { setCode(await killRemote(id, opts, io)); });

  registerRemoteCommands({ flow, execution }, remote, io, setCode);
}
