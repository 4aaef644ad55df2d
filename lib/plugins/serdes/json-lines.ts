// JSON Lines read from a stream one line at a time, each value with its line number (1-based), so
// that errors can name the line. Blank lines are skipped but still counted.
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { AloftError, ErrorCode } from '../../model/errors';

export interface JsonLine {
  line: number;
  value: unknown;
}

export async function* readJsonLines(source: Readable | AsyncIterable<Buffer | string>, name = 'the file', encoding: BufferEncoding = 'utf8'): AsyncGenerator<JsonLine> {
  const decoder = new StringDecoder(encoding);
  let rest = '';
  let line = 0;
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${name} is not valid JSON: ${(err as Error).message}`);
    }
  };
  for await (const chunk of source) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      line++;
      const body = text.slice(start, nl);
      start = nl + 1;
      if (body.trim() === '') continue;
      yield { line, value: parse(body) };
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.trim() !== '') {
    line++;
    yield { line, value: parse(rest) };
  }
}
