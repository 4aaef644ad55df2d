// io.kestra.plugin.serdes.csv.CsvReader / CsvWriter: CSV to and from row files, streamed, with
// csv-parse and csv-stringify and Kestra's options (header, fieldSeparator, textDelimiter, charset...).
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { RunnableTaskDefinition, TaskContext } from '../types';
import { Bool, Char, Count, counted, SerdesOutputs } from './common';
import { readJsonLines } from './json-lines';
import { decodeStream, decoderFor, encodingFor, putText } from './text';

export const CsvReaderProperties = z.object({
  from: z.string().min(1),
  header: Bool.optional(),
  fieldSeparator: Char.optional(),
  textDelimiter: Char.optional(),
  skipEmptyRows: Bool.optional(),
  errorOnDifferentFieldCount: Bool.optional(),
  skipRows: Count.optional(),
  charset: z.string().optional(),
}).strict();
export type CsvReaderProperties = z.infer<typeof CsvReaderProperties>;

export const CsvWriterProperties = z.object({
  from: z.string().min(1),
  header: Bool.optional(),
  fieldSeparator: Char.optional(),
  textDelimiter: Char.optional(),
  lineDelimiter: z.string().min(1).optional(),
  alwaysDelimitText: Bool.optional(),
  charset: z.string().optional(),
  // Accepted for Kestra compatibility: row files already hold dates as ISO 8601 text, written as they are.
  dateFormat: z.string().optional(),
  timeFormat: z.string().optional(),
  dateTimeFormat: z.string().optional(),
  timeZoneId: z.string().optional(),
}).strict();
export type CsvWriterProperties = z.infer<typeof CsvWriterProperties>;

const failed = (from: string, err: unknown): AloftError =>
  err instanceof AloftError ? err : new AloftError(ErrorCode.TASK_FAILED, `${from}: ${(err as Error).message}`, { property: 'from' });

export const csvReader: RunnableTaskDefinition<CsvReaderProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.csv.CsvReader',
  aliases: ['io.kestra.plugin.serdes.csv.CsvToIon'],
  group: 'serdes',
  properties: CsvReaderProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    const decoder = decoderFor(props.charset);
    const source = await ctx.storage.get(props.from);
    const header = props.header !== false;
    const parser = parse({
      delimiter: props.fieldSeparator ?? ',',
      quote: props.textDelimiter ?? '"',
      columns: header,
      relax_column_count: props.errorOnDifferentFieldCount !== true,
      skip_empty_lines: props.skipEmptyRows === true,
      bom: true,
    });
    const input = Readable.from(decodeStream(source, decoder));
    input.on('error', (err) => parser.destroy(err));
    input.pipe(parser);
    const skip = props.skipRows ?? 0;
    async function* rows(): AsyncGenerator<unknown> {
      let seen = 0;
      try {
        for await (const record of parser) if (seen++ >= skip) yield record;
      } catch (err) {
        throw failed(props.from, err);
      } finally {
        input.destroy();
      }
    }
    const { uri } = await ctx.storage.writeRows('result.jsonl', counted(ctx, rows()));
    return { uri };
  },
};

/** A cell as Kestra writes it: text as is, NULL empty, structured values as JSON. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export const csvWriter: RunnableTaskDefinition<CsvWriterProperties, SerdesOutputs> = {
  type: 'io.kestra.plugin.serdes.csv.CsvWriter',
  aliases: ['io.kestra.plugin.serdes.csv.IonToCsv'],
  group: 'serdes',
  properties: CsvWriterProperties,
  outputs: SerdesOutputs,
  async run(ctx: TaskContext, props) {
    const encoding = encodingFor(props.charset);
    const header = props.header !== false;
    const options = {
      delimiter: props.fieldSeparator ?? ',',
      quote: props.textDelimiter ?? '"',
      escape: props.textDelimiter ?? '"',
      record_delimiter: props.lineDelimiter ?? '\n',
      quoted: props.alwaysDelimitText === true,
    };
    const lines = readJsonLines(await ctx.storage.get(props.from), props.from);
    async function* text(): AsyncGenerator<string> {
      let columns: string[] | undefined;
      let batch: string[][] = [];
      for await (const { line, value } of counted(ctx, lines)) {
        let record: string[];
        if (Array.isArray(value)) {
          if (header) throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${props.from}: a row written as a list has no column names for the header (set header: false)`, { property: 'header' });
          record = value.map(cell);
        } else if (value !== null && typeof value === 'object') {
          const row = value as Record<string, unknown>;
          if (!columns) {
            // The first row's columns name the header and the order of every row.
            columns = Object.keys(row);
            if (header) batch.push(columns);
          }
          record = columns.map((c) => cell(row[c]));
        } else throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${props.from}: a row must be a JSON object or array`, { property: 'from' });
        batch.push(record);
        if (batch.length >= 1000) {
          yield stringify(batch, options);
          batch = [];
        }
      }
      if (batch.length > 0) yield stringify(batch, options);
    }
    return { uri: await putText(ctx, 'result.csv', text(), encoding) };
  },
};
