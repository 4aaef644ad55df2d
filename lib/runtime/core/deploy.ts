// Saving a flow from YAML: parse, validate against the catalog, store a new revision.
import { DiagnosticsError, ErrorCode, type AloftErrorData } from '../../model/errors';
import type { Flow } from '../../model/flow';
import type { TaskCatalog } from '../../model/catalog';
import { parseFlowWithTriggers } from '../../triggers/validate';
import { checkSyntax, referencedPaths } from '../../expr';
import type { Clock, FlowRepository } from '../../ports';

export class FlowInvalidError extends DiagnosticsError {
  constructor(diagnostics: AloftErrorData[], file?: string) {
    super(ErrorCode.FLOW_INVALID, diagnostics, file ? { file } : {});
  }
}

export async function deployFlowSource(
  deps: { repo: FlowRepository; catalog: TaskCatalog; clock: Clock },
  source: string,
  file?: string,
): Promise<{ flow: Flow; revision: number; warnings: AloftErrorData[] }> {
  const parsed = parseFlowWithTriggers(source, { file, catalog: deps.catalog, expressions: { referencedPaths, checkSyntax } });
  if (!parsed.ok) throw new FlowInvalidError(parsed.errors, file);
  const stored = await deps.repo.save(parsed.flow, source, deps.clock.now());
  return { flow: { ...stored.flow, revision: stored.revision }, revision: stored.revision, warnings: parsed.warnings };
}
