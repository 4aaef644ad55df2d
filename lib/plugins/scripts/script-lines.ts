// What a script prints, line by line: logged, counted, and read for Kestra's `::{...}::` protocol.
// Shared by Bash (0.x) and the 1.x script tasks, which differ only in how they log.
import { z } from 'zod';
import { AloftError, ErrorCode } from '../../model/errors';
import type { LogLevel, TaskContext } from '../types';
import type { ProcessEnd } from './process';
import { parseScriptLine } from './script-output';

export interface LineStyle {
  stdout: LogLevel;
  stderr: LogLevel;
  /** Whether protocol lines are logged too (0.x Bash does; Kestra 1.x does not). */
  logCommands: boolean;
}

const STDERR_TAIL = 10;

const LinesSnapshot = z.object({
  vars: z.record(z.string(), z.unknown()),
  stdOutLineCount: z.number().int(),
  stdErrLineCount: z.number().int(),
  stderrTail: z.array(z.string()),
});
export type LinesSnapshot = z.infer<typeof LinesSnapshot>;

export class ScriptLines {
  /** Outputs set by `::{"outputs":{...}}::` lines. */
  readonly vars: Record<string, unknown> = {};
  stdOutLineCount = 0;
  stdErrLineCount = 0;
  private readonly stderrTail: string[] = [];

  constructor(private readonly ctx: TaskContext, private readonly style: LineStyle) {}

  readonly onLine = (line: string, stderr: boolean): void => {
    if (stderr) {
      this.stdErrLineCount++;
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    } else {
      this.stdOutLineCount++;
    }
    const parsed = parseScriptLine(line, this.ctx.metrics);
    if (!parsed || this.style.logCommands) this.ctx.logger.log(stderr ? this.style.stderr : this.style.stdout, line);
    if (!parsed) return;
    if (parsed.invalid) this.ctx.logger.warn(`invalid outputs line: ${parsed.invalid}`);
    // Defined, not assigned: a key named __proto__ stays an output instead of replacing vars' prototype.
    for (const [k, v] of Object.entries(parsed.outputs ?? {})) Object.defineProperty(this.vars, k, { value: v, writable: true, enumerable: true, configurable: true });
    for (const l of parsed.logs ?? []) this.ctx.logger.log(l.level, l.message);
  };

  /** What the lines set so far, as JSON (carried across a Cloud Run hand-over). */
  snapshot(): LinesSnapshot {
    return { vars: this.vars, stdOutLineCount: this.stdOutLineCount, stdErrLineCount: this.stdErrLineCount, stderrTail: [...this.stderrTail] };
  }

  restore(saved: unknown): void {
    const s = LinesSnapshot.safeParse(saved);
    if (!s.success) return;
    // From the snapshot itself (zod's copy assigns, so a __proto__ key would be lost), defined, not
    // assigned, as the protocol lines' outputs are.
    for (const [k, v] of Object.entries((saved as LinesSnapshot).vars)) Object.defineProperty(this.vars, k, { value: v, writable: true, enumerable: true, configurable: true });
    this.stdOutLineCount = s.data.stdOutLineCount;
    this.stdErrLineCount = s.data.stdErrLineCount;
    this.stderrTail.splice(0, this.stderrTail.length, ...s.data.stderrTail);
  }

  /** The error for a process that did not end with exit code 0, naming it and the last lines of stderr. */
  failure(end: ProcessEnd): AloftError | undefined {
    if (end.exitCode === 0) return undefined;
    const how = end.exitCode === null ? `was stopped by ${end.signal}` : `failed with exit code ${end.exitCode}`;
    const tail = this.stderrTail.length ? `; last lines of stderr:\n${this.stderrTail.join('\n')}` : '';
    return new AloftError(ErrorCode.TASK_FAILED, `Command ${how}${tail}`);
  }
}
