// `aloft validate FILE...`: checks every file and prints every problem, one per line:
// `file:line:col: flow ns.id, task t, property p: message`.
import { checkSyntax, referencedPaths } from '../expr';
import type { TaskCatalog } from '../model/catalog';
import { formatError, toErrorData } from '../model/errors';
import { Severity } from '../model/flow-diagnostics';
import type { Diagnostic } from '../model/flow-diagnostics';
import { parseFlowWithTriggers } from '../triggers/validate';
import type { ExpressionAnalyzer } from '../model/static-check';

export interface ValidateDeps {
  readFile(path: string): Promise<string>;
  catalog: TaskCatalog;
  stdout(s: string): void;
  stderr(s: string): void;
  /** Checks templates statically; lib/expr's parser unless given. */
  expressions?: ExpressionAnalyzer;
}

const EXPRESSIONS: ExpressionAnalyzer = { referencedPaths, checkSyntax };
const EXIT_OK = 0;
const EXIT_INVALID = 2;

/** Exit code 0 when every file is a valid flow, 2 otherwise. */
export async function validateFiles(paths: readonly string[], deps: ValidateDeps): Promise<number> {
  let code = EXIT_OK;
  for (const file of paths) {
    let source: string;
    try {
      source = await deps.readFile(file);
    } catch (err) {
      deps.stderr(`${file}: cannot read the file: ${toErrorData(err).message}\n`);
      code = EXIT_INVALID;
      continue;
    }
    const result = parseFlowWithTriggers(source, { file, catalog: deps.catalog, expressions: deps.expressions ?? EXPRESSIONS });
    const lines = [...(result.ok ? [] : result.errors), ...result.warnings].sort(byPosition).map(line);
    if (lines.length > 0) deps.stderr(`${lines.join('\n')}\n`);
    if (result.ok) {
      const warned = result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'})` : '';
      deps.stdout(`${file}: flow ${result.flow.namespace}.${result.flow.id} is valid${warned}\n`);
    } else {
      deps.stdout(`${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}\n`);
      code = EXIT_INVALID;
    }
  }
  return code;
}

function line(d: Diagnostic): string {
  const { severity, ...data } = d;
  return formatError(severity === Severity.warning ? { ...data, message: `warning: ${data.message}` } : data);
}

const byPosition = (a: Diagnostic, b: Diagnostic): number => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
