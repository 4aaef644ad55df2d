// Bash (Kestra 0.x `io.kestra.core.tasks.scripts.Bash`): runs commands through an interpreter in a
// scratch working directory. `commands` and `inputFiles` are rendered by the task itself, with the
// extra variables `workingDir`, `outputFiles` (name -> path) and `temp` (the same, as in 0.x).
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { isPublicEnvName } from '../../model/envs';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { createOutputFiles, writeInputFiles } from './files';
import { runProcess } from './process';
import { parseScriptLine } from './script-output';

const EnvValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);

export const BashProperties = z.object({
  commands: z.array(z.string()).min(1),
  env: z.record(z.string(), EnvValue).optional(),
  inputFiles: z.record(z.string(), z.string()).optional(),
  outputFiles: z.array(z.string()).optional(),
  /** Deprecated 0.x spellings of `outputFiles`. */
  outputsFiles: z.array(z.string()).optional(),
  files: z.array(z.string()).optional(),
  interpreter: z.string().min(1).default('/bin/sh'),
  interpreterArgs: z.array(z.string()).default(['-c']),
  exitOnFailed: z.boolean().default(true),
  warningOnStdErr: z.boolean().default(true),
  /** An existing folder to run in instead of a fresh scratch folder. */
  workingDirectory: z.string().optional(),
  runner: z.enum(['PROCESS', 'DOCKER']).default('PROCESS'),
  dockerOptions: z.object({ image: z.string() }).passthrough().optional(),
}).strict();
export type BashProperties = z.infer<typeof BashProperties>;

export const BashOutputs = z.object({
  exitCode: z.number().int(),
  stdOutLineCount: z.number().int(),
  stdErrLineCount: z.number().int(),
  warningOnStdErr: z.boolean(),
  /** Outputs set by `::{"outputs":{...}}::` lines. */
  vars: z.record(z.string(), z.unknown()),
  /** Output file name -> kestra:/// URI. */
  outputFiles: z.record(z.string(), z.string()),
  /** The same map under its 0.x name. */
  files: z.record(z.string(), z.string()),
});
export type BashOutputs = z.infer<typeof BashOutputs>;

/** Longer scripts go through a file: a single argument may not exceed MAX_ARG_STRLEN. */
const MAX_INLINE_SCRIPT = 131_072;
const STDERR_TAIL = 10;

export const bashTask: RunnableTaskDefinition<BashProperties, BashOutputs> = {
  type: 'io.kestra.core.tasks.scripts.Bash',
  // Later Kestra versions replaced Bash by io.kestra.plugin.scripts.shell.Commands, whose
  // properties differ (interpreter list, glob outputFiles), so it is not an alias.
  aliases: [],
  group: PluginGroup.scripts,
  properties: BashProperties,
  outputs: BashOutputs,
  lazyProperties: ['commands', 'inputFiles'],
  async run(ctx, props) {
    if (props.runner === 'DOCKER') {
      throw new AloftError(ErrorCode.NOT_SUPPORTED, 'runner DOCKER is not supported by Aloft; use runner PROCESS', { property: 'runner' });
    }
    const dir = props.workingDirectory ? resolve(props.workingDirectory) : await ctx.tempDir();
    const outputNames = [...(props.outputFiles ?? []), ...(props.outputsFiles ?? []), ...(props.files ?? [])];
    const outputPaths = await createOutputFiles(dir, outputNames);
    const extra = { workingDir: dir, outputFiles: outputPaths, temp: outputPaths };
    if (props.inputFiles) await writeInputFiles(ctx, dir, await renderInputFiles(ctx, props.inputFiles, extra));

    const lines = props.exitOnFailed ? ['set -o errexit'] : [];
    for (const command of props.commands) lines.push(toText(await ctx.render(command, extra)));
    const script = lines.join('\n');
    let args = [...props.interpreterArgs, script];
    if (script.length > MAX_INLINE_SCRIPT) {
      const file = join(dir, `.aloft-script-${ctx.taskRun.id}.sh`);
      await writeFile(file, script);
      args = [file];
    }

    const vars: Record<string, unknown> = {};
    const stderrTail: string[] = [];
    let stdOutLineCount = 0;
    let stdErrLineCount = 0;
    const end = await runProcess({
      command: props.interpreter, args, cwd: dir, env: processEnv(ctx, props.env), signal: ctx.signal,
      onLine(line, stderr) {
        if (stderr) {
          stdErrLineCount++;
          stderrTail.push(line);
          if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
          ctx.logger.warn(line);
        } else {
          stdOutLineCount++;
          ctx.logger.info(line);
        }
        const parsed = parseScriptLine(line, ctx.metrics);
        // Defined, not assigned: a key named __proto__ stays an output instead of replacing vars' prototype.
        if (parsed?.outputs) for (const [k, v] of Object.entries(parsed.outputs)) Object.defineProperty(vars, k, { value: v, writable: true, enumerable: true, configurable: true });
        else if (parsed?.invalid) ctx.logger.warn(`invalid outputs line: ${parsed.invalid}`);
      },
    });

    if (end.exitCode !== 0) {
      const how = end.exitCode === null ? `was stopped by ${end.signal}` : `failed with exit code ${end.exitCode}`;
      const tail = stderrTail.length ? `; last lines of stderr:\n${stderrTail.join('\n')}` : '';
      throw new AloftError(ErrorCode.TASK_FAILED, `Command ${how}${tail}`);
    }

    const uploaded: Record<string, string> = {};
    for (const [name, path] of Object.entries(outputPaths)) {
      uploaded[name] = (await ctx.storage.put(name, createReadStream(path))).uri;
    }
    const outputs: BashOutputs = {
      exitCode: 0, stdOutLineCount, stdErrLineCount, warningOnStdErr: props.warningOnStdErr, vars, outputFiles: uploaded, files: uploaded,
    };
    return props.warningOnStdErr && stdErrLineCount > 0 ? { outputs, state: 'WARNING' } : outputs;
  },
};

const toText = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

async function renderInputFiles(ctx: TaskContext, files: Record<string, string>, extra: Record<string, unknown>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    out[toText(await ctx.render(name, extra))] = toText(await ctx.render(content, extra));
  }
  return out;
}

/** The runtime's environment (without the SECRET_ variables) plus the task's `env`. */
function processEnv(ctx: TaskContext, env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  // Aloft's settings (the API token among them) and secrets stay out of the script's environment.
  for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined && isPublicEnvName(k)) out[k] = v;
  out.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  return env ? Object.assign(out, env) : out;
}
