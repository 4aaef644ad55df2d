// Saving a flow from YAML: parse, validate against the catalog, store a new revision.
import { AloftError, ErrorCode, formatError, type AloftErrorData } from '../model/errors';
import type { Flow } from '../model/flow';
import type { TaskCatalog } from '../model/catalog';
import { parseFlow } from '../model/flow-parse';
import { checkSyntax, referencedPaths } from '../expr';
import type { Clock, FlowRepository } from '../ports';

export class FlowInvalidError extends AloftError {
  constructor(readonly diagnostics: AloftErrorData[], file?: string) {
    super(ErrorCode.FLOW_INVALID, diagnostics.map(formatError).join('\n'), { file });
  }
}

export async function deployFlowSource(
  deps: { repo: FlowRepository; catalog: TaskCatalog; clock: Clock },
  source: string,
  file?: string,
): Promise<{ flow: Flow; revision: number; warnings: AloftErrorData[] }> {
  const parsed = parseFlow(source, { file, catalog: deps.catalog, expressions: { referencedPaths, checkSyntax } });
  if (!parsed.ok) throw new FlowInvalidError(parsed.errors, file);
  const stored = await deps.repo.save(parsed.flow, source, deps.clock.now());
  return { flow: { ...stored.flow, revision: stored.revision }, revision: stored.revision, warnings: parsed.warnings };
}
