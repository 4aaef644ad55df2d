// io.kestra.plugin.scripts.shell.Commands and Script (Kestra 1.x): shell commands, or one inline
// shell script, run by the interpreter (`/bin/sh -c` by default).
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { EXEC_LAZY, ExecScriptProperties, runExecScript, ScriptOutputs } from './exec-script';
import { renderAll, toText } from './script-input';

export const ShellCommandsProperties = ExecScriptProperties.extend({
  commands: z.array(z.string()).min(1),
  containerImage: z.string().default('ubuntu'),
}).strict();
export type ShellCommandsProperties = z.infer<typeof ShellCommandsProperties>;

export const ShellScriptProperties = ExecScriptProperties.extend({
  script: z.string(),
  containerImage: z.string().default('ubuntu'),
}).strict();
export type ShellScriptProperties = z.infer<typeof ShellScriptProperties>;

export const shellCommandsTask: RunnableTaskDefinition<ShellCommandsProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.shell.Commands',
  aliases: [],
  group: PluginGroup.scripts,
  properties: ShellCommandsProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async ({ extra }) => ({ commands: await renderAll(ctx, props.commands, extra) }), continuation),
};

export const shellScriptTask: RunnableTaskDefinition<ShellScriptProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.shell.Script',
  aliases: [],
  group: PluginGroup.scripts,
  properties: ShellScriptProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async ({ extra }) => ({ commands: [toText(await ctx.render(props.script, extra))] }), continuation),
};
