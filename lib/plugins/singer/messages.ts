// Singer messages, one JSON object per line. A line that is not one fails the task with its number
// and (the start of) its text: a tap that prints a banner on stdout is a common mistake.
import { AloftError, ErrorCode } from '../../model/errors';

export const MessageType = { SCHEMA: 'SCHEMA', RECORD: 'RECORD', STATE: 'STATE', ACTIVATE_VERSION: 'ACTIVATE_VERSION' } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export type SingerMessage =
  | { type: 'SCHEMA'; stream: string; schema: Record<string, unknown> }
  | { type: 'RECORD'; stream: string; record: Record<string, unknown> }
  | { type: 'STATE'; value: unknown }
  | { type: 'ACTIVATE_VERSION'; stream: string; version: unknown };

const SHOWN = 200;
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The message of one line, or undefined for a blank line. `source` names who printed it. */
export function parseMessage(line: string, lineNumber: number, source: string): SingerMessage | undefined {
  if (line.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw malformed(source, lineNumber, line, 'is not JSON');
  }
  if (!isObject(parsed)) throw malformed(source, lineNumber, line, 'is not a JSON object');
  switch (parsed.type) {
    case 'SCHEMA':
      if (typeof parsed.stream !== 'string' || !isObject(parsed.schema)) throw malformed(source, lineNumber, line, 'is a SCHEMA without stream or schema');
      return parsed as SingerMessage;
    case 'RECORD':
      if (typeof parsed.stream !== 'string' || !isObject(parsed.record)) throw malformed(source, lineNumber, line, 'is a RECORD without stream or record');
      return parsed as SingerMessage;
    case 'STATE':
      if (!('value' in parsed)) throw malformed(source, lineNumber, line, 'is a STATE without value');
      return parsed as SingerMessage;
    case 'ACTIVATE_VERSION':
      if (typeof parsed.stream !== 'string') throw malformed(source, lineNumber, line, 'is an ACTIVATE_VERSION without stream');
      return parsed as SingerMessage;
    default:
      throw malformed(source, lineNumber, line, `has type ${JSON.stringify(parsed.type ?? null)}, not SCHEMA, RECORD, STATE or ACTIVATE_VERSION`);
  }
}

function malformed(source: string, n: number, line: string, why: string): AloftError {
  const text = line.length > SHOWN ? `${line.slice(0, SHOWN)}…` : line;
  return new AloftError(ErrorCode.TASK_FAILED, `${source} printed a malformed Singer message: line ${n} ${why}: ${text}`);
}
