// Diagnostics of flow validation: an AloftErrorData with a severity, and the paths they point at.
import type { AloftErrorData, ErrorCode } from './errors';

export const Severity = { error: 'error', warning: 'warning' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];

export type Diagnostic = AloftErrorData & { severity: Severity };

/** A path inside the flow document: `['tasks', 2, 'sql']`. */
export type DocPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `tasks[2].sql`, `tasks[0].properties["bootstrap.servers"]`. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (PLAIN_KEY.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** What a check reports before the parser adds file, flow and line:column. */
export interface Finding {
  severity: Severity;
  code: ErrorCode;
  message: string;
  hint?: string;
  /** Where in the document; the parser turns it into line:column. */
  path: DocPath;
  /** Point at the key rather than the value (unknown properties). */
  atKey?: boolean;
  /** An offset inside the string value at `path` (template syntax errors). */
  offset?: number;
  /** The innermost task id, when the path is inside a task. */
  task?: string;
}
