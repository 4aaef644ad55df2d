// A Singer tap, as kestra-io/plugin-singer 0.4's AbstractPythonTap: discovery with the streams
// configurations applied, then the sync with --config, --catalog/--properties and --state. Every line
// of its stdout must be a Singer message. Raw, it is stored as it arrives (raw-output.ts); otherwise
// it goes to a file (never through memory), then is read once and split by stream.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AloftError, ErrorCode } from '../../model/errors';
import type { TaskContext } from '../types';
import { applyStreamsConfigurations } from './catalog';
import { Feature, type SingerKind } from './kinds';
import { parseMessage } from './messages';
import { syncRaw } from './raw-output';
import type { StreamsConfiguration } from './properties';
import { SingerWorkspace, type SingerCommon } from './workspace';
import type { z } from 'zod';

export interface TapProps extends SingerCommon {
  streamsConfigurations: z.infer<typeof StreamsConfiguration>[];
  raw?: boolean;
}

export interface TapResult {
  raw?: string;
  streams?: Record<string, string>;
  schemas?: Record<string, string>;
  state?: string;
  count: Record<string, number>;
}

const OUTPUT = 'tap-output.jsonl';

export async function runTap<P extends TapProps>(ctx: TaskContext, kind: SingerKind<P>, props: P): Promise<TapResult> {
  const ws = await SingerWorkspace.open(ctx, kind, props);
  try {
    return await sync(ctx, kind, props, ws);
  } finally {
    ws.close();
  }
}

async function sync<P extends TapProps>(ctx: TaskContext, kind: SingerKind<P>, props: P, ws: SingerWorkspace): Promise<TapResult> {
  const raw = props.raw ?? true;
  const features = kind.features(props);
  const command = kind.command(props);
  const tap = ws.bin(command);

  const catalogName = features.includes(Feature.CATALOG) ? 'catalog' : features.includes(Feature.PROPERTIES) ? 'properties' : undefined;
  if (catalogName) {
    await ws.step(`${tap} --config config.json --discover > discover.json`, `${command} --discover`);
    let discovered: unknown;
    try {
      discovered = JSON.parse(await readFile(ws.path('discover.json'), 'utf8'));
    } catch {
      throw new AloftError(ErrorCode.TASK_FAILED, `${command} --discover did not print a JSON catalog`);
    }
    await ws.write(`${catalogName}.json`, JSON.stringify(applyStreamsConfigurations(discovered, props.streamsConfigurations)));
  }
  const withState = features.includes(Feature.STATE);
  if (withState) await ws.write('state.json', (await ws.readState()) ?? '{}');

  const args = ['--config config.json', ...(catalogName ? [`--${catalogName} ${catalogName}.json`] : []), ...(withState ? ['--state state.json'] : [])];
  const script = `${tap} ${args.join(' ')}`;
  let result: Read;
  if (raw) {
    const { raw: uri, count } = await syncRaw(ctx, ws, script, command);
    result = { out: { raw: uri, count: { RAW: count } } };
  } else {
    await ws.step(`${script} > ${OUTPUT}`, command);
    result = await readMessages(ctx, ws, command);
  }
  // Saved last, once everything else succeeded: a failed run leaves the previous state in place.
  if (!raw && withState && result.stateValue !== undefined) {
    await ws.saveState(result.stateValue);
    result.out.state = (await ctx.storage.put('state.json', JSON.stringify(result.stateValue))).uri;
  }
  for (const [type, n] of Object.entries(result.out.count)) ctx.metrics.counter(type.toLowerCase(), n);
  ctx.logger.info(`Ended singer with ${JSON.stringify(result.out.count)}`);
  return result.out;
}

interface Read {
  out: TapResult;
  stateValue?: unknown;
}

/** Rows of each stream into their own file, the last schema of each stream, the last state. */
async function readMessages(ctx: TaskContext, ws: SingerWorkspace, command: string): Promise<Read> {
  const count: Record<string, number> = {};
  const schemas = new Map<string, unknown>();
  const files = new Map<string, WriteStream>();
  let stateValue: unknown;
  let n = 0;
  try {
    for await (const line of createInterface({ input: createReadStream(ws.path(OUTPUT)), crlfDelay: Infinity })) {
      n++;
      const m = parseMessage(line, n, command);
      if (!m) continue;
      count[m.type] = (count[m.type] ?? 0) + 1;
      if (m.type === 'SCHEMA') schemas.set(m.stream, m.schema);
      else if (m.type === 'STATE') stateValue = m.value;
      else if (m.type === 'RECORD') {
        let file = files.get(m.stream);
        if (!file) {
          file = createWriteStream(ws.path(`stream-${files.size}.jsonl`));
          files.set(m.stream, file);
        }
        if (!file.write(`${JSON.stringify(m.record)}\n`)) await once(file, 'drain');
      }
    }
  } finally {
    await Promise.all([...files.values()].map((f) => new Promise<void>((done) => f.end(done))));
  }
  const streams: Record<string, string> = {};
  let i = 0;
  for (const stream of files.keys()) streams[stream] = (await ctx.storage.put(`${fileSafe(stream)}.jsonl`, createReadStream(ws.path(`stream-${i++}.jsonl`)))).uri;
  const schemaUris: Record<string, string> = {};
  for (const [stream, schema] of schemas) schemaUris[stream] = (await ctx.storage.put(`${fileSafe(stream)}.schema.json`, JSON.stringify(schema))).uri;
  return { out: { streams, schemas: schemaUris, count }, stateValue };
}

/** A stream name as a file name: schema-qualified names (`public-users`) and odd characters stay readable. */
const fileSafe = (stream: string): string => stream.replace(/[^\w.-]/g, '_').slice(0, 200) || 'stream';
