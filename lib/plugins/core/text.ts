// Text properties of the core tasks. Kestra renders them to a string; in Aloft a property that
// is exactly one expression keeps its type, so a number or a map is turned back into text here.
import { z } from 'zod';

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export const Text = z.union([
  z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown()),
]).transform(toText);

/** slf4j levels, as Kestra's `level` properties take them. */
export const Level = z.enum(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR']);

/** Tasks with no outputs (Kestra's VoidOutput). */
export const NoOutputs = z.object({}).strict();
