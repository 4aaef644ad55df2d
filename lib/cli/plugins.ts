// `aloft plugins list [--json]`: every task type this build knows, with its group and status
// (the same rows as docs/compatibility.md).
import { catalog } from '../plugins/catalog';
import { typeSupport } from '../plugins/compatibility';
import { ExitCode, type CliIO } from './io';

export function listPlugins(opts: { json?: boolean }, io: CliIO): number {
  const rows = typeSupport(catalog());
  if (opts.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.OK;
  }
  const width = Math.max(...rows.map((r) => r.type.length));
  const groupWidth = Math.max(...rows.map((r) => r.group.length));
  for (const r of rows) io.stdout(`${r.type.padEnd(width)}  ${r.group.padEnd(groupWidth)}  ${r.status}\n`);
  return ExitCode.OK;
}
