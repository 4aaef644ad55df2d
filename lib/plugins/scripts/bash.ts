// Bash (Kestra 0.x `io.kestra.core.tasks.scripts.Bash`): runs commands through an interpreter in a
// scratch working directory. `commands` and `inputFiles` are rendered by the task itself, with the
// extra variables `workingDir`, `outputFiles` (name -> path) and `temp` (the same, as in 0.x).
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition } from '../types';
import { createOutputFiles, writeInputFiles } from './files';
import { runProcess } from './process';
import { ScriptLines, type LineStyle } from './script-lines';
import { processEnv, renderAll, renderInputFiles } from './script-input';

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
/** 0.x Bash logs every line, stderr as WARN. */
const BASH_LINES: LineStyle = { stdout: 'INFO', stderr: 'WARN', logCommands: true };

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
    const dir = resolve(props.workingDirectory ?? await ctx.tempDir());
    const outputNames = [...(props.outputFiles ?? []), ...(props.outputsFiles ?? []), ...(props.files ?? [])];
    const outputPaths = await createOutputFiles(dir, outputNames);
    const extra = { workingDir: dir, outputFiles: outputPaths, temp: outputPaths };
    if (props.inputFiles) await writeInputFiles(ctx, dir, await renderInputFiles(ctx, props.inputFiles, extra));

    const script = [...(props.exitOnFailed ? ['set -o errexit'] : []), ...await renderAll(ctx, props.commands, extra)].join('\n');
    let args = [...props.interpreterArgs, script];
    if (script.length > MAX_INLINE_SCRIPT) {
      const file = join(dir, `.aloft-script-${ctx.taskRun.id}.sh`);
      await writeFile(file, script);
      args = [file];
    }

    const lines = new ScriptLines(ctx, BASH_LINES);
    const end = await runProcess({
      command: props.interpreter, args, cwd: dir, env: processEnv(ctx, props.env), signal: ctx.signal, onLine: lines.onLine,
    });
    const failure = lines.failure(end);
    if (failure) throw failure;

    const uploaded: Record<string, string> = {};
    for (const [name, path] of Object.entries(outputPaths)) {
      uploaded[name] = (await ctx.storage.put(name, createReadStream(path))).uri;
    }
    const outputs: BashOutputs = {
      exitCode: 0, stdOutLineCount: lines.stdOutLineCount, stdErrLineCount: lines.stdErrLineCount,
      warningOnStdErr: props.warningOnStdErr, vars: lines.vars, outputFiles: uploaded, files: uploaded,
    };
    return props.warningOnStdErr && lines.stdErrLineCount > 0 ? { outputs, state: 'WARNING' } : outputs;
  },
};
