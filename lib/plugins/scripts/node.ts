// io.kestra.plugin.scripts.node.Commands and Script (Kestra 1.x). Script writes the inline code to
// a .js file in the working directory and runs it with node.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { EXEC_LAZY, ExecScriptProperties, runExecScript, ScriptOutputs } from './exec-script';
import { renderAll, toText } from './script-input';

export const NodeCommandsProperties = ExecScriptProperties.extend({
  commands: z.array(z.string()).min(1),
  containerImage: z.string().default('node'),
}).strict();
export type NodeCommandsProperties = z.infer<typeof NodeCommandsProperties>;

export const NodeScriptProperties = ExecScriptProperties.extend({
  script: z.string(),
  containerImage: z.string().default('node'),
}).strict();
export type NodeScriptProperties = z.infer<typeof NodeScriptProperties>;

export const nodeCommandsTask: RunnableTaskDefinition<NodeCommandsProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.node.Commands',
  aliases: [],
  group: PluginGroup.scripts,
  properties: NodeCommandsProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async ({ extra }) => ({ commands: await renderAll(ctx, props.commands, extra) }), continuation),
};

export const nodeScriptTask: RunnableTaskDefinition<NodeScriptProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.node.Script',
  aliases: [],
  group: PluginGroup.scripts,
  properties: NodeScriptProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async (ws) => {
    const file = await ws.write(`.aloft-script-${ctx.taskRun.id}.js`, await ws.localize(toText(await ctx.render(props.script, ws.extra))));
    return { commands: [`node "${file}"`] };
  }, continuation),
};
