// io.kestra.plugin.scripts.python.Commands and Script (Kestra 1.x). Script writes the inline code
// to a .py file in the working directory and runs it with python3 (or the active virtualenv's).
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import type { RunnableTaskDefinition } from '../types';
import { EXEC_LAZY, ExecScriptProperties, runExecScript, ScriptOutputs } from './exec-script';
import { renderAll, toText } from './script-input';

const IMAGE = 'python:3.13-slim';
/** Unbuffered output, so lines (and protocol outputs) arrive as they are printed. */
const PYTHON_ENV = { PYTHONUNBUFFERED: 'true', PIP_ROOT_USER_ACTION: 'ignore', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
/** Kestra prepends these: rendered booleans and nulls are JSON's, which Python does not know. */
const PRELUDE = 'true = True\nfalse = False\nnull = None\n';

export const PythonCommandsProperties = ExecScriptProperties.extend({
  commands: z.array(z.string()).min(1),
  containerImage: z.string().default(IMAGE),
}).strict();
export type PythonCommandsProperties = z.infer<typeof PythonCommandsProperties>;

export const PythonScriptProperties = ExecScriptProperties.extend({
  script: z.string(),
  containerImage: z.string().default(IMAGE),
}).strict();
export type PythonScriptProperties = z.infer<typeof PythonScriptProperties>;

export const pythonCommandsTask: RunnableTaskDefinition<PythonCommandsProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.python.Commands',
  aliases: [],
  group: PluginGroup.scripts,
  properties: PythonCommandsProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async ({ extra }) => ({ commands: await renderAll(ctx, props.commands, extra), env: PYTHON_ENV }), continuation),
};

export const pythonScriptTask: RunnableTaskDefinition<PythonScriptProperties, ScriptOutputs> = {
  type: 'io.kestra.plugin.scripts.python.Script',
  aliases: [],
  group: PluginGroup.scripts,
  properties: PythonScriptProperties,
  outputs: ScriptOutputs,
  lazyProperties: EXEC_LAZY,
  run: (ctx, props, continuation) => runExecScript(ctx, props, async (ws) => {
    const file = await ws.write(`.aloft-script-${ctx.taskRun.id}.py`, PRELUDE + await ws.localize(toText(await ctx.render(props.script, ws.extra))));
    const command = ws.windows
      ? `python "${file}"`
      : `if [ -n "$VIRTUAL_ENV" ]; then "$VIRTUAL_ENV/bin/python" "${file}"; else python3 "${file}"; fi`;
    return { commands: [command], env: PYTHON_ENV };
  }, continuation),
};
