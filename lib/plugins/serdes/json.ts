// io.kestra.plugin.serdes.json.JsonReader / JsonWriter: JSON (Lines, or one array) to and from row files.
import { z } from 'zod';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { Bool, counted, SerdesOutputs } from './common';
import { readJsonArray, readJsonLines } from './json-lines';
import { decoderFor, encodingFor, putText } from './text';

export const JsonReaderProperties = z.object({
  from: z.string().min(1),
  charset: z.string().optional(),
  /** JSON Lines when true (default); otherwise one JSON array (streamed element by element) or one value. */
  newLine: Bool.optional(),
}).strict();
export type JsonReaderProperties = z.infer<typeof JsonReaderProperties>;

export const JsonWriterProperties = z.object({
  from: z.string().min(1),
  charset: z.string().optional(),
  newLine: Bool.optional(),
  /** Accepted for Kestra compatibility: row files already hold dates as ISO text. */
  timeZoneId: z.string().optional(),
}).strict();
export type JsonWriterProperties = z.infer<typeof JsonWriterProperties>;

async function* values(lines: AsyncIterable<{ value: unknown }>): AsyncGenerator<unknown> {
  for await (const { value } of lines) yield value;
}

export const jsonReader: RunnableTaskDefinition<JsonReaderProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.json.JsonReader',
  aliases: ['io.kestra.plugin.serdes.json.JsonToIon'],
  group: 'serdes',
  properties: JsonReaderProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    const decoder = decoderFor(props.charset);
    const source = await ctx.storage.get(props.from);
    const read = props.newLine === false ? readJsonArray(source, props.from, decoder) : readJsonLines(source, props.from, decoder);
    const { uri } = await ctx.storage.writeRows('result.jsonl', counted(ctx, values(read)));
    return { uri };
  },
};

export const jsonWriter: RunnableTaskDefinition<JsonWriterProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.json.JsonWriter',
  aliases: ['io.kestra.plugin.serdes.json.IonToJson'],
  group: 'serdes',
  properties: JsonWriterProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    const encoding = encodingFor(props.charset);
    const rows = counted(ctx, values(readJsonLines(await ctx.storage.get(props.from), props.from)));
    const newLine = props.newLine !== false;
    async function* text(): AsyncGenerator<string> {
      let first = true;
      if (!newLine) yield '[';
      for await (const row of rows) {
        const json = JSON.stringify(row);
        if (newLine) yield `${json}\n`;
        else {
          yield first ? json : `,${json}`;
          first = false;
        }
      }
      if (!newLine) yield ']';
    }
    return { uri: await putText(ctx, newLine ? 'result.jsonl' : 'result.json', text(), encoding) };
  },
};
