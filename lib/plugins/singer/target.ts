// A Singer target, as kestra-io/plugin-singer 0.4's AbstractPythonTarget: the tap's raw messages
// (`from`) on its stdin, and the state lines it prints on stdout kept in the flow's state store,
// where the tap of the next execution reads them.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import type { SingerKind } from './kinds';
import { SingerWorkspace, type SingerCommon } from './workspace';

export interface TargetProps extends SingerCommon {
  from: string;
}

const INPUT = 'target-input.jsonl';
const OUTPUT = 'target-state.jsonl';

export async function runTarget<P extends TargetProps>(ctx: TaskContext, kind: SingerKind<P>, props: P): Promise<{ state?: string }> {
  const command = kind.command(props);
  const ws = await SingerWorkspace.open(ctx, kind, props);
  await pipeline(await ctx.storage.get(props.from), createWriteStream(ws.path(INPUT)));
  await ws.step(`${ws.bin(command)} --config config.json < ${INPUT} > ${OUTPUT}`, command);

  let state: unknown;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(ws.path(OUTPUT)), crlfDelay: Infinity })) {
    n++;
    if (line.trim() === '') continue;
    try {
      state = JSON.parse(line);
    } catch {
      const text = line.length > 200 ? `${line.slice(0, 200)}…` : line;
      throw new AloftError(ErrorCode.TASK_FAILED, `${command} printed a line that is not a JSON state: line ${n}: ${text}`);
    }
  }
  if (state === undefined) return {};
  await ws.saveState(state);
  return { state: (await ctx.storage.put('state.json', JSON.stringify(state))).uri };
}
