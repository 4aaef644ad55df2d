// A Singer target, as kestra-io/plugin-singer 0.4's AbstractPythonTarget: the tap's raw messages
// (`from`) on its stdin, and the state lines it prints on stdout kept in the flow's state store,
// where the tap of the next execution reads them.
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
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

export interface TargetResult {
  state?: string;
  uris?: Record<string, string>;
}

export async function runTarget<P extends TargetProps>(ctx: TaskContext, kind: SingerKind<P>, props: P): Promise<TargetResult> {
  const command = kind.command(props);
  const ws = await SingerWorkspace.open(ctx, kind, props);
  try {
    return await load(ctx, kind, props, ws, command);
  } finally {
    ws.close();
  }
}

async function load<P extends TargetProps>(ctx: TaskContext, kind: SingerKind<P>, props: P, ws: SingerWorkspace, command: string): Promise<TargetResult> {
  if (kind.destination) await mkdir(ws.path(kind.destination.dir));
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
  const uris = kind.destination ? await uploadDestination(ctx, ws, kind.destination) : undefined;
  if (state === undefined) return uris ? { uris } : {};
  await ws.saveState(state);
  return { state: (await ctx.storage.put('state.json', JSON.stringify(state))).uri, ...(uris ? { uris } : {}) };
}

/** The files a Csv or Json target wrote, by stream, as Kestra names them. */
async function uploadDestination(ctx: TaskContext, ws: SingerWorkspace, d: NonNullable<SingerKind<unknown>['destination']>): Promise<Record<string, string>> {
  const uris: Record<string, string> = {};
  for (const file of (await readdir(ws.path(d.dir))).sort()) {
    uris[d.streamOf(file)] = (await ctx.storage.put(file, createReadStream(ws.path(`${d.dir}/${file}`)))).uri;
  }
  return uris;
}
