// `aloft run FLOW.yml`: one execution on the embedded runtime, to the end.
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { AloftError, diagnosticsOf, ErrorCode, formatError, toErrorData, type AloftErrorData } from '../model/errors';
import type { Flow } from '../model/flow';
import { parseYaml } from '../model/flow-yaml';
import { closest } from '../model/flow-suggest';
import type { Execution } from '../model/execution';
import { isTerminal, State } from '../model/states';
import { openDataDir } from '../runtime/embedded/data-dir';
import { LocalServer } from '../wiring/local-server';
import { InputsInvalidError, type FileInput } from '../runtime/core/start-execution';
import { executionOutputs, toExecutionJson } from '../api/execution-json';
import { ExitCode, type CliIO } from './io';
import { colorWanted, lineProgress, ttyProgress, type LogLineView, type ProgressSink } from './progress';

export interface RunOptions {
  inputs: string[];
  files: string[];
  flows?: string;
  /** A data directory: durable state (default: in memory). */
  data?: string;
  json?: boolean;
}

export function parsePairs(pairs: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new AloftError(ErrorCode.INPUT_INVALID, `${what} must look like key=value, got "${p}"`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

async function loadFlowsDir(server: LocalServer, dir: string, io: CliIO): Promise<void> {
  const names = (await readdir(dir)).filter((n) => ['.yml', '.yaml'].includes(extname(n))).sort();
  for (const name of names) {
    const file = join(dir, name);
    const { warnings } = await server.deploy(await readFile(file, 'utf8'), file);
    for (const w of warnings) io.stderr(`warning: ${formatError(w)}\n`);
  }
}

export function exitCodeFor(state: string): number {
  return state === State.FAILED || state === State.KILLED ? ExitCode.FAILED : ExitCode.OK;
}

export async function runCommand(file: string, opts: RunOptions, io: CliIO): Promise<number> {
  let progress: ProgressSink | undefined;
  let server: LocalServer | undefined;
  let execution: Execution | undefined;
  const others = new Map<string, Execution>();
  try {
    // A folder is a usage mistake (exit 2), not a failed run.
    if ((await stat(file).catch(() => undefined))?.isDirectory()) {
      throw new AloftError(ErrorCode.FLOW_INVALID, 'this is a folder: aloft run takes one flow file (a folder of the flows it calls goes in --flows)', { file });
    }
    // The local server without its HTTP listener: flows are deployed with their triggers, so the flow
    // triggers of --flows fire as they would in `aloft server`. Schedules and Pub/Sub stay off. In memory
    // unless --data names a data directory.
    server = new LocalServer({
      env: io.env, pubsub: null, log: (line) => progress?.log(line as LogLineView),
      ...(opts.data ? { adapters: await openDataDir(opts.data) } : {}),
    });
    const runtime = server.runtime;
    await server.open();
    if (opts.flows) await loadFlowsDir(server, opts.flows, io);
    const source = await readFile(file, 'utf8');
    const saved = await server.deploy(source, file);
    const flow: Flow = { ...saved.flow, revision: saved.revision };
    for (const w of saved.warnings) io.stderr(`warning: ${formatError(w)}\n`);
    warnUndeclaredInputs(flow, [...Object.keys(parsePairs(opts.inputs, '--input')), ...Object.keys(parsePairs(opts.files, '--file'))], io);
    const progressOut = opts.json ? io.stderr : io.stdout;
    progress = io.isTTY ? ttyProgress(progressOut, () => Date.now(), 6, colorWanted(io.env)) : lineProgress(progressOut);
    const sink = progress;
    const unlisten = runtime.onUpdate((e, before) => {
      if (e.id === execution?.id) sink.update(e, before);
      else noteOther(e, before, others, progressOut);
    });
    try {
      const files = await openFiles(parsePairs(opts.files, '--file'), `${flow.namespace}.${flow.id}`);
      execution = await runtime.startExecution({ flow, inputs: parsePairs(opts.inputs, '--input'), files, checks: true });
    } catch (err) {
      throw err instanceof InputsInvalidError ? locateInputs(err, flow, source, file) : err;
    }
    let interrupted = 0;
    const removeInterrupt = io.onInterrupt(() => {
      interrupted += 1;
      if (interrupted === 1 && execution) {
        io.stderr('\nkilling the execution (Ctrl-C again to stop at once)\n');
        for (const id of [execution.id, ...others.keys()]) void runtime.kill(id).catch(() => undefined);
      } else {
        process.exit(ExitCode.INTERRUPTED);
      }
    });
    const final = await runtime.waitForEnd(execution.id);
    sink.finish(final);
    await waitForOthers(server, others);
    removeInterrupt();
    unlisten();
    report(final, opts, io);
    return exitCodeFor(final.state.current);
  } catch (err) {
    return reportError(err, io);
  } finally {
    await server?.stop();
  }
}

/** An --input the flow does not declare is ignored: say so, naming the inputs it does declare. */
export function warnUndeclaredInputs(flow: Flow, given: readonly string[], io: CliIO): void {
  const declared = (flow.inputs ?? []).map((i) => i.id);
  for (const key of given.filter((k) => !declared.includes(k))) {
    const near = closest(key, declared);
    const known = declared.length === 0 ? 'it declares no inputs' : `its inputs: ${declared.join(', ')}`;
    io.stderr(`warning: input '${key}' is not declared by flow ${flow.namespace}.${flow.id} and is ignored (${known}${near ? `; did you mean '${near}'?` : ''})\n`);
  }
}

/** Subflows and triggered executions: one line when each starts and ends. */
function noteOther(e: Execution, before: Execution, others: Map<string, Execution>, write: (s: string) => void): void {
  const why = e.parent ? `subflow of ${e.parent.executionId}` : e.trigger ? `triggered by ${e.trigger.type.split('.').pop()} ${e.trigger.id}` : 'started';
  if (!others.has(e.id)) write(`${e.state.histories[0].date} execution ${e.id} of ${e.namespace}.${e.flowId} (${why})\n`);
  others.set(e.id, e);
  if (isTerminal(e.state.current) && !isTerminal(before.state.current)) {
    write(`${e.state.histories[e.state.histories.length - 1].date} execution ${e.id} of ${e.namespace}.${e.flowId} ${e.state.current}\n`);
  }
}

/** `aloft run` ends when everything its execution caused has ended too (fire-and-forget subflows, flow triggers). */
async function waitForOthers(server: LocalServer, others: Map<string, Execution>): Promise<void> {
  for (;;) {
    await server.triggersSettled();
    const open = [...others.values()].filter((e) => !isTerminal(e.state.current));
    if (open.length === 0) return;
    await Promise.all(open.map(async (e) => others.set(e.id, await server.runtime.waitForEnd(e.id))));
  }
}

/** Checks every --file before anything runs, so a bad path is an input error that names the input. */
async function openFiles(pairs: Record<string, string>, flow: string): Promise<Record<string, FileInput>> {
  const files: Record<string, FileInput> = {};
  const problems: AloftErrorData[] = [];
  for (const [name, path] of Object.entries(pairs)) {
    const info = await stat(path).catch(() => undefined);
    if (!info) problems.push({ code: ErrorCode.INPUT_INVALID, message: `input '${name}': file ${path} does not exist`, flow, property: `inputs.${name}` });
    else if (!info.isFile()) problems.push({ code: ErrorCode.INPUT_INVALID, message: `input '${name}': ${path} is not a file`, flow, property: `inputs.${name}` });
    else files[name] = { fileName: basename(path), data: createReadStream(path) };
  }
  if (problems.length) throw new InputsInvalidError(problems, flow);
  return files;
}

/** Points each input problem at the input's declaration in the flow file. */
function locateInputs(err: InputsInvalidError, flow: Flow, source: string, file: string): InputsInvalidError {
  const yaml = parseYaml(source);
  const located = err.diagnostics.map((d) => {
    const id = d.property?.startsWith('inputs.') ? d.property.slice('inputs.'.length) : undefined;
    const index = flow.inputs?.findIndex((i) => i.id === id) ?? -1;
    return index < 0 ? { ...d, file } : { ...d, file, ...yaml.locate(['inputs', index], { atKey: false }) };
  });
  return new InputsInvalidError(located, `${flow.namespace}.${flow.id}`);
}

function report(final: Execution, opts: RunOptions, io: CliIO): void {
  if (opts.json) {
    io.stdout(`${JSON.stringify(toExecutionJson(final), null, 2)}\n`);
    return;
  }
  const outputs = executionOutputs(final);
  io.stdout(`\nexecution ${final.id} ${final.state.current}\n`);
  if (Object.keys(outputs).length) io.stdout(`outputs:\n${JSON.stringify(outputs, null, 2)}\n`);
  for (const run of final.taskRunList) {
    if (run.error) io.stdout(`task ${run.taskId}${run.value !== undefined ? `[${run.value}]` : ''} failed: ${formatError({ ...run.error, code: run.error.code as ErrorCode })}\n`);
  }
  if (final.state.current === State.PAUSED) {
    io.stdout('the execution is paused and waits to be resumed; resume it through `aloft server` and its API\n');
  }
}

export function reportError(err: unknown, io: CliIO): number {
  const diagnostics = diagnosticsOf(err);
  if (diagnostics) {
    for (const d of diagnostics) io.stderr(`${formatError(d)}\n`);
    return ExitCode.INVALID;
  }
  const data = toErrorData(err);
  io.stderr(`error: ${formatError(data)}\n`);
  const invalid: string[] = [ErrorCode.FLOW_INVALID, ErrorCode.YAML_INVALID, ErrorCode.INPUT_INVALID, ErrorCode.NOT_FOUND, ErrorCode.STORAGE_NOT_FOUND];
  if (invalid.includes(data.code) || (err as NodeJS.ErrnoException)?.code === 'ENOENT') return ExitCode.INVALID;
  return ExitCode.FAILED;
}
