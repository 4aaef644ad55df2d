// What the 1.x script tasks (shell, python, node; Commands and Script) share, after Kestra's
// AbstractExecScript: the properties, and one run that writes the input files, joins
// `beforeCommands` and the commands into one script for the interpreter, runs it through the task
// runner, reads the `::{...}::` protocol and stores the `outputFiles`.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { Suspend, TaskContext } from '../types';
import { runContainerJob, usesCloudRun } from '../gcp/run/container-job';
import { carryOver, containerSteps, withContainerJobs } from '../gcp/run/hand-over';
import { assertDockerEngine, dockerRunArgs, removeContainer } from './docker';
import { writeInputFiles, writeNamespaceFiles } from './files';
import { uploadFiles, uploadOutputFiles } from './output-files';
import { runProcess, type ProcessEnd } from './process';
import { processEnv, renderAll, renderInputFiles, toText } from './script-input';
import { ScriptLines, type LineStyle } from './script-lines';
import { DOCKER_RUNNER, DockerOptions, resolveRunner, TaskRunner, type ResolvedRunner } from './task-runner';

const EnvValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** Kestra's AbstractExecScript properties; each task adds `commands` or `script` and its image. */
export const ExecScriptProperties = z.object({
  beforeCommands: z.array(z.string()).optional(),
  env: z.record(z.string(), EnvValue).optional(),
  /** A map of name -> content or kestra:// URI, or the same as JSON text. */
  inputFiles: z.union([z.record(z.string(), z.string().nullable()), z.string()]).optional(),
  /** Glob patterns of files to keep, relative to the working directory. */
  outputFiles: z.array(z.string()).optional(),
  namespaceFiles: z.object({
    enabled: z.boolean().optional(), include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional(),
  }).strict().optional(),
  warningOnStdErr: z.boolean().default(true),
  interpreter: z.array(z.string()).min(1).default(['/bin/sh', '-c']),
  failFast: z.boolean().default(true),
  targetOS: z.enum(['LINUX', 'WINDOWS', 'AUTO']).default('AUTO'),
  taskRunner: TaskRunner.optional(),
  /** Deprecated: use taskRunner. */
  runner: z.enum(['PROCESS', 'DOCKER']).optional(),
  /** Deprecated: use taskRunner and containerImage. */
  docker: DockerOptions.optional(),
  /** Deprecated: use outputFiles. Gives `{{ outputDir }}` and OUTPUT_DIR, whose files are all kept. */
  outputDirectory: z.boolean().optional(),
});
export type ExecScriptProperties = z.infer<typeof ExecScriptProperties>;

/** Properties each task renders itself, with `workingDir` among the variables. */
export const EXEC_LAZY = ['beforeCommands', 'commands', 'script', 'inputFiles'] as const;

export const ScriptOutputs = z.object({
  /** Outputs set by `::{"outputs":{...}}::` lines. */
  vars: z.record(z.string(), z.unknown()),
  exitCode: z.number().int(),
  /** Output file path (relative to the working directory) -> kestra:/// URI. */
  outputFiles: z.record(z.string(), z.string()),
});
export type ScriptOutputs = z.infer<typeof ScriptOutputs>;
export type ScriptResult = ScriptOutputs | { outputs: ScriptOutputs; state: 'WARNING' };

/** Kestra 1.x logs stdout as INFO and stderr as ERROR, and does not log protocol lines. */
const EXEC_LINES: LineStyle = { stdout: 'INFO', stderr: 'ERROR', logCommands: false };
/** Longer scripts go through a file: a single argument may not exceed MAX_ARG_STRLEN. */
const MAX_INLINE_SCRIPT = 131_072;
const INTERNAL_URI = /kestra:\/\/[-a-zA-Z0-9%._+~#=/]*/g;

export interface ScriptPlan {
  /** The rendered commands run after `beforeCommands`. */
  commands: string[];
  /** Extra variables for the process (the task's own `env` wins). */
  env?: Record<string, string>;
}

export interface ScriptWorkspace {
  dir: string;
  /** Rendering variables: `workingDir`. */
  extra: Record<string, unknown>;
  windows: boolean;
  /** Writes a file into the working directory; returns its absolute path. */
  write(name: string, content: string): Promise<string>;
  /** Replaces each kestra:// URI in a text by the path of a local copy of the file, as Kestra does. */
  localize(text: string): Promise<string>;
}

/**
 * Runs a script task. `plan` renders what the task runs (its commands, or a script file) once the
 * working directory holds the input files.
 */
export function runExecScript(
  ctx: TaskContext,
  props: ExecScriptProperties & { containerImage: string },
  plan: (ws: ScriptWorkspace) => Promise<ScriptPlan>,
  continuation?: unknown,
): Promise<ScriptResult | Suspend> {
  return withContainerJobs(ctx, continuation, () => execScript(ctx, props, plan));
}

async function execScript(
  ctx: TaskContext,
  props: ExecScriptProperties & { containerImage: string },
  plan: (ws: ScriptWorkspace) => Promise<ScriptPlan>,
): Promise<ScriptResult> {
  const runner = resolveRunner(props);
  if (runner.kind === 'docker' && !usesCloudRun(ctx.env)) await assertDockerEngine(runner.options);

  // Absolute: the runtime's scratch root may be relative, and the script runs inside it.
  const dir = resolve(await ctx.tempDir());
  // As Kestra: the output directory is on when asked, or when the deprecated `runner` is set.
  const outputDir = (props.outputDirectory ?? props.runner !== undefined) ? join(dir, `.output-${ctx.taskRun.id}`) : undefined;
  if (outputDir) await mkdir(outputDir);
  const extra: Record<string, unknown> = outputDir ? { workingDir: dir, outputDir } : { workingDir: dir };
  const windows = props.targetOS === 'WINDOWS';
  // Namespace files first: inputFiles of the same name win, as in Kestra.
  if (props.namespaceFiles?.enabled) await writeNamespaceFiles(ctx, dir, props.namespaceFiles);
  if (props.inputFiles) await writeInputFiles(ctx, dir, await inputFilesOf(ctx, props.inputFiles, extra));
  const local = new Map<string, string>();
  const ws: ScriptWorkspace = {
    dir, extra, windows,
    async write(name, content) {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    localize: (text) => localizeUris(ctx, dir, text, local),
  };
  const planned = await plan(ws);

  // As Kestra: `set -e` goes before the `beforeCommands` when failFast, except on Windows.
  const before = [...(props.failFast && !windows ? ['set -e'] : []), ...await renderAll(ctx, props.beforeCommands ?? [], extra)];
  const lines = [...before, ...planned.commands];
  const script = await ws.localize(lines.join(windows ? '\r\n' : '\n'));
  const command = [...props.interpreter];
  if (script.length > MAX_INLINE_SCRIPT && command.length > 1 && command[command.length - 1] === '-c') {
    command.pop();
    command.push(await ws.write(`.aloft-script-${ctx.taskRun.id}.sh`, script));
  } else {
    command.push(script);
  }

  const taskEnv = { ...planned.env, WORKING_DIR: dir, ...(outputDir ? { OUTPUT_DIR: outputDir } : {}), ...props.env };
  const out = new ScriptLines(ctx, EXEC_LINES);
  // A Cloud Run step handed over keeps what its lines set so far (outputs, counts).
  out.restore(carryOver(ctx, () => out.snapshot()));
  const end = await runInRunner(ctx, runner, dir, command, taskEnv, out.onLine);
  const failure = out.failure(end);
  if (failure) throw runner.kind === 'process' && end.exitCode === 127 ? notOnWorker(failure) : failure;

  const outputFiles = {
    ...(outputDir ? await uploadFiles(ctx, outputDir) : {}),
    ...await uploadOutputFiles(ctx, dir, props.outputFiles ?? []),
  };
  const outputs: ScriptOutputs = { vars: out.vars, exitCode: 0, outputFiles };
  return props.warningOnStdErr && out.stdErrLineCount > 0 ? { outputs, state: 'WARNING' } : outputs;
}

/**
 * The shell's 127 is a command it could not find: on the worker (a Cloud Function's image has no
 * guaranteed interpreter but node and /bin/sh), the Docker runner brings an image that has it.
 */
function notOnWorker(failure: AloftError): AloftError {
  return new AloftError(
    ErrorCode.TASK_FAILED,
    `${failure.message}\n(exit code 127: a command was not found on the worker; run the script in an image that has it with taskRunner: {type: ${DOCKER_RUNNER}})`,
    { property: 'taskRunner' },
  );
}

/**
 * Runs a command where the runner says: on the worker, or in a container of the image (shared with
 * Singer): through the docker CLI, or as a Cloud Run Job where the runtime sets ALOFT_CLOUD_RUN_REGION.
 * `stdout`, on the worker only, takes stdout as bytes instead of `onLine`.
 */
export function runInRunner(
  ctx: TaskContext, runner: ResolvedRunner, dir: string, command: string[], env: Record<string, string>,
  onLine: (line: string, stderr: boolean) => void, stdout?: Writable,
): Promise<ProcessEnd> {
  if (runner.kind === 'process') {
    return runProcess({ command: command[0], args: command.slice(1), cwd: dir, env: { ...processEnv(ctx, undefined), ...env }, signal: ctx.signal, onLine, stdout });
  }
  // Containers write their files in the mounted folder; only a process on the worker streams stdout.
  if (stdout) throw new AloftError(ErrorCode.INTERNAL, 'stdout can be streamed only from a process on the worker');
  if (usesCloudRun(ctx.env)) {
    // Each container step in the cloud is its own Cloud Run Job, numbered within the attempt.
    const step = ++containerSteps(ctx).count;
    return runContainerJob(ctx, { image: runner.image, command, env, dir, step }, onLine);
  }
  // The container sees only the task's variables, as with Kestra's Docker runner.
  const name = `aloft-${ctx.taskRun.id}-${ctx.taskRun.attempt}`.toLowerCase();
  const args = dockerRunArgs({ name, image: runner.image, workingDir: dir, env, command, settings: runner.options });
  const onAbort = (): void => removeContainer(name, runner.options);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  return runProcess({ command: 'docker', args, cwd: dir, env: processEnv(ctx, undefined), signal: ctx.signal, onLine })
    .finally(() => ctx.signal.removeEventListener('abort', onAbort));
}

/** `inputFiles` as Kestra takes them: a map of name -> content (or kestra:// URI), or its JSON text, rendered. */
export async function inputFilesOf(
  ctx: TaskContext, files: Record<string, string | null> | string, extra: Record<string, unknown>,
): Promise<Record<string, string>> {
  if (typeof files !== 'string') return renderInputFiles(ctx, files, extra);
  const rendered = await ctx.render(files, extra);
  let map: unknown = rendered;
  if (typeof rendered === 'string') {
    try {
      map = JSON.parse(rendered);
    } catch {
      map = undefined;
    }
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    throw new AloftError(ErrorCode.FLOW_INVALID, 'inputFiles must be a map of file name to content, or that map as JSON', { property: 'inputFiles' });
  }
  return Object.fromEntries(Object.entries(map).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, toText(v)]));
}

/** Each kestra:// URI in the text replaced by the path of a local copy (`local`: URI -> path, shared by a run). */
async function localizeUris(ctx: TaskContext, dir: string, text: string, local: Map<string, string>): Promise<string> {
  const uris = [...new Set(text.match(INTERNAL_URI) ?? [])];
  if (uris.length === 0) return text;
  for (const uri of uris) {
    if (local.has(uri)) continue;
    const path = join(dir, `.kestra-${local.size}-${fileNameOf(uri)}`);
    await pipeline(await ctx.storage.get(uri), createWriteStream(path));
    local.set(uri, path);
  }
  return text.replace(INTERNAL_URI, (uri) => local.get(uri) ?? uri);
}

function fileNameOf(uri: string): string {
  let name = basename(uri);
  try {
    name = basename(decodeURIComponent(uri));
  } catch {
    // A malformed escape: keep the name as written.
  }
  return name || 'file';
}
