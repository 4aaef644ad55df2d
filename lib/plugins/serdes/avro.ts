// io.kestra.plugin.serdes.avro.AvroReader / AvroWriter: Avro object container files to and from row
// files, streamed through avsc's block decoder and encoder.
import { once } from 'node:events';
import avro from 'avsc';
import type { Type } from 'avsc';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { ConvertError, DEFAULT_CONVERT, fromAvro, parseSchema, toAvro, typeOptions, type ConvertOptions } from './avro-values';
import { Bool, Char, counted, SerdesOutputs, templated } from './common';
import { readJsonLines } from './json-lines';

export const AvroReaderProperties = z.object({ from: z.string().min(1) }).strict();
export type AvroReaderProperties = z.infer<typeof AvroReaderProperties>;

const SchemaText = z.union([
  z.string().min(1).refine((v) => templated(v) || schemaProblem(v) === undefined, { message: 'is not a valid Avro schema' }),
  z.record(z.string(), z.unknown()),
]);

export const AvroWriterProperties = z.object({
  from: z.string().min(1),
  schema: SchemaText,
  trueValues: z.array(z.string()).optional(),
  falseValues: z.array(z.string()).optional(),
  nullValues: z.array(z.string()).optional(),
  dateFormat: z.string().optional(),
  timeFormat: z.string().optional(),
  datetimeFormat: z.string().optional(),
  decimalSeparator: Char.optional(),
  strictSchema: Bool.optional(),
  timeZoneId: z.string().optional(),
}).strict();
export type AvroWriterProperties = z.infer<typeof AvroWriterProperties>;

function schemaProblem(schema: unknown): string | undefined {
  try {
    parseSchema(schema);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

export const avroReader: RunnableTaskDefinition<AvroReaderProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.avro.AvroReader',
  aliases: ['io.kestra.plugin.serdes.avro.AvroToIon'],
  group: 'serdes',
  properties: AvroReaderProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    const source = await ctx.storage.get(props.from);
    let type: Type | undefined;
    const decoder = new avro.streams.BlockDecoder({ parseHook: (schema) => avro.Type.forSchema(schema, typeOptions()) });
    decoder.on('metadata', (t: Type) => { type = t; });
    // avsc emits some errors without destroying the stream; destroying it makes the loop below rethrow them.
    decoder.on('error', (err) => { if (!decoder.destroyed) decoder.destroy(err); });
    source.on('error', (err) => decoder.destroy(err));
    source.pipe(decoder);
    async function* rows(): AsyncGenerator<unknown> {
      try {
        for await (const record of decoder) yield fromAvro(type as Type, record);
      } catch (err) {
        throw err instanceof AloftError ? err : new AloftError(ErrorCode.TASK_FAILED, `${props.from} is not a readable Avro file: ${(err as Error).message}`, { property: 'from' });
      } finally {
        source.destroy();
      }
    }
    const { uri } = await ctx.storage.writeRows('result.jsonl', counted(ctx, rows()));
    return { uri };
  },
};

export const avroWriter: RunnableTaskDefinition<AvroWriterProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.avro.AvroWriter',
  aliases: ['io.kestra.plugin.serdes.avro.IonToAvro'],
  group: 'serdes',
  properties: AvroWriterProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    let type: Type;
    try {
      type = parseSchema(props.schema);
    } catch (err) {
      throw new AloftError(ErrorCode.TASK_FAILED, `schema is not a valid Avro schema: ${(err as Error).message}`, { property: 'schema' });
    }
    const options: ConvertOptions = {
      ...DEFAULT_CONVERT,
      ...(props.trueValues ? { trueValues: props.trueValues } : {}),
      ...(props.falseValues ? { falseValues: props.falseValues } : {}),
      ...(props.nullValues ? { nullValues: props.nullValues } : {}),
      decimalSeparator: props.decimalSeparator ?? '.',
      strictSchema: props.strictSchema === true,
      timeZoneId: props.timeZoneId ?? 'UTC',
      dateFormat: props.dateFormat, timeFormat: props.timeFormat, datetimeFormat: props.datetimeFormat,
    };
    const lines = readJsonLines(await ctx.storage.get(props.from), props.from);
    const encoder = new avro.streams.BlockEncoder(type as never, { codec: 'null' });
    // A conversion failure destroys the encoder; the failure itself is reported by `producing`.
    encoder.on('error', () => undefined);
    const producing = (async () => {
      try {
        for await (const { line, value } of counted(ctx, lines)) {
          let record: unknown;
          try {
            record = toAvro(type, value, options);
          } catch (err) {
            if (!(err instanceof ConvertError)) throw err;
            throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${props.from}${err.path ? `, field ${err.path}` : ''}: ${err.message}`, { property: 'from' });
          }
          if (!encoder.write(record)) await once(encoder, 'drain');
        }
        encoder.end();
      } catch (err) {
        encoder.destroy(err as Error);
        throw err;
      }
    })();
    const [stored] = await Promise.all([ctx.storage.put('result.avro', encoder), producing]);
    return { uri: stored.uri };
  },
};
