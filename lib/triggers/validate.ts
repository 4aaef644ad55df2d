// Trigger properties checked against the trigger catalog, with file, line:column and property path.
// parseFlow checks the common trigger fields only; `parseFlowWithTriggers` adds these checks until
// parseFlow takes the trigger catalog as an option.
import { ErrorCode } from '../model/errors';
import { flowKey } from '../model/flow';
import { formatPath, Severity, type Diagnostic } from '../model/flow-diagnostics';
import { parseFlow, type ParseOptions, type ParseResult } from '../model/flow-parse';
import { parseYaml } from '../model/flow-yaml';
import { checkValue, isPlainObject } from '../model/flow-zod';
import { triggerCatalog } from './catalog';

export interface TriggerFinding {
  path: (string | number)[];
  message: string;
  /** The trigger's id. */
  task?: string;
}

/** Every problem in the properties of known trigger types. Unknown types are left to parseFlow's warning. */
export function triggerFindings(triggers: unknown): TriggerFinding[] {
  if (!Array.isArray(triggers)) return [];
  const out: TriggerFinding[] = [];
  triggers.forEach((trigger, i) => {
    if (!isPlainObject(trigger) || typeof trigger.type !== 'string') return;
    const info = triggerCatalog.get(trigger.type);
    if (!info) return;
    const { id, type: _t, description: _d, disabled: _x, ...props } = trigger;
    for (const issue of checkValue(info.properties, props)) {
      out.push({ path: ['triggers', i, ...issue.path], message: issue.message, ...(typeof id === 'string' ? { task: id } : {}) });
    }
  });
  return out;
}

/** parseFlow, plus the trigger property checks; known trigger types lose parseFlow's "unknown type" warning. */
export function parseFlowWithTriggers(source: string, opts: ParseOptions): ParseResult {
  const result = parseFlow(source, opts);
  const yaml = parseYaml(source);
  if (yaml.errors.length > 0 || !isPlainObject(yaml.value)) return result;
  const doc = yaml.value;
  const triggers = result.ok ? (result.flow.triggers ?? []) : doc.triggers;
  const label = typeof doc.namespace === 'string' && typeof doc.id === 'string' ? { flow: flowKey(doc.namespace, doc.id) } : {};
  const file = opts.file !== undefined ? { file: opts.file } : {};
  const findings: Diagnostic[] = triggerFindings(triggers).map((f) => {
    const at = yaml.locate(f.path);
    return {
      severity: Severity.error, code: ErrorCode.FLOW_INVALID, message: f.message, ...file, ...label,
      ...(f.task !== undefined ? { task: f.task } : {}), property: formatPath(f.path), line: at.line, column: at.column,
    };
  });
  const warnings = result.warnings.filter((w) => !(w.message.startsWith('unknown trigger type') && knownTypeAt(doc, w.property)));
  if (findings.length === 0) return { ...result, warnings };
  const errors = [...(result.ok ? [] : result.errors), ...findings]
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, errors, warnings };
}

function knownTypeAt(doc: Record<string, unknown>, property: string | undefined): boolean {
  const m = /^triggers\[(\d+)\]\.type$/.exec(property ?? '');
  if (!m || !Array.isArray(doc.triggers)) return false;
  const t = doc.triggers[Number(m[1])];
  return isPlainObject(t) && typeof t.type === 'string' && triggerCatalog.get(t.type) !== undefined;
}
