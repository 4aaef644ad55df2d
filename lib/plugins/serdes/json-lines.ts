// JSON read from a stream one value at a time, each with its line number (1-based) so that errors
// can name the line: JSON Lines (blank lines skipped but counted), or one JSON array whose elements
// are cut out as they stream by, so a large array is never held whole.
import type { Readable } from 'node:stream';
import { AloftError, ErrorCode } from '../../model/errors';
import { decodeStream } from './text';

export interface JsonLine {
  line: number;
  value: unknown;
}

const invalid = (name: string, line: number, err: unknown): AloftError =>
  new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${name} is not valid JSON: ${(err as Error).message}`);

export async function* readJsonLines(source: Readable | AsyncIterable<Buffer | string>, name = 'the file', decoder = new TextDecoder()): AsyncGenerator<JsonLine> {
  let rest = '';
  let line = 0;
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw invalid(name, line, err);
    }
  };
  for await (const decoded of decodeStream(source, decoder)) {
    const text = rest + decoded;
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
  if (rest.trim() !== '') {
    line++;
    yield { line, value: parse(rest) };
  }
}

/**
 * The elements of a top-level JSON array, streamed; any other top-level value is yielded once.
 * `line` is the line where the element starts.
 */
export async function* readJsonArray(source: Readable | AsyncIterable<Buffer | string>, name = 'the file', decoder = new TextDecoder()): AsyncGenerator<JsonLine> {
  type Mode = 'start' | 'array' | 'single' | 'done';
  let mode = 'start' as Mode;
  const now = (): Mode => mode; // read through a call: the loop changes it where TS cannot see
  let depth = 0; // inside the current element
  let inString = false;
  let escaped = false;
  let element = '';
  let line = 1;
  let elementLine = 1;
  const emit = (): JsonLine | undefined => {
    const text = element.trim();
    element = '';
    if (!text) return undefined;
    try {
      return { line: elementLine, value: JSON.parse(text) };
    } catch (err) {
      throw invalid(name, elementLine, err);
    }
  };
  for await (const text of decodeStream(source, decoder)) {
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\n') line++;
      if (mode === 'single' || mode === 'done') {
        if (mode === 'done' && c.trim()) throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${name}: unexpected text after the JSON array`);
        continue;
      }
      if (mode === 'start') {
        if (!c.trim()) continue;
        if (c === '[') {
          mode = 'array';
          from = i + 1;
          elementLine = line;
        } else {
          mode = 'single';
          element = text.slice(i);
          from = text.length;
        }
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || (c === ']' && depth > 0)) depth--;
      else if (depth === 0 && (c === ',' || c === ']')) {
        element += text.slice(from, i);
        const item = emit();
        if (item) yield item;
        else if (c === ',') throw new AloftError(ErrorCode.TASK_FAILED, `line ${line} of ${name}: empty element in the JSON array`);
        from = i + 1;
        elementLine = line;
        if (c === ']') mode = 'done';
      } else if (!element && from === i && !c.trim()) {
        from = i + 1; // leading blanks of an element
        elementLine = line;
      }
    }
    if (now() === 'array' || now() === 'single') element += text.slice(from);
  }
  if (now() === 'single') {
    const item = emit();
    if (item) yield item;
  } else if (now() === 'array') throw new AloftError(ErrorCode.TASK_FAILED, `${name} ends inside a JSON array`);
}
