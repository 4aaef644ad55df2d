// Bundles our own TypeScript (not node_modules) into dist/ so `npx aloft` starts fast on plain Node,
// writes the flow JSON Schema to dist/flow.schema.json (for the YAML language server), then builds the
// web UI (ui/, Vue + Vite) into dist/ui, which `aloft server` serves at /ui.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build as viteBuild } from 'vite';

await build({
  entryPoints: { cli: 'lib/cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
assertAscii('dist/cli.js');

// The schema comes from the same zod schemas and catalog the validator uses: bundled to a scratch
// module beside the CLI (so it resolves node_modules the same way), run once, removed.
const scratch = new URL('../dist/.flow-schema.cjs', import.meta.url).pathname;
await build({
  stdin: {
    contents: "const { flowJsonSchema } = require('./lib/api/flow-json-schema'); const { catalog } = require('./lib/plugins/catalog'); module.exports = () => flowJsonSchema(catalog());",
    resolveDir: new URL('..', import.meta.url).pathname, loader: 'ts',
  },
  outfile: scratch, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', logLevel: 'warning',
});
try {
  const schema = createRequire(import.meta.url)(scratch)();
  writeFileSync(new URL('../dist/flow.schema.json', import.meta.url), `${JSON.stringify(schema, null, 1)}\n`);
} finally {
  rmSync(scratch, { force: true });
}

await viteBuild({ configFile: new URL('../ui/vite.config.mjs', import.meta.url).pathname });

/**
 * V8 keeps a script's source in the heap for as long as the process runs, at two bytes a character
 * once a single one is not ASCII. esbuild escapes strings, not comments it keeps or regex literals.
 */
function assertAscii(file) {
  const text = readFileSync(file, 'latin1');
  const at = text.search(/[^\x00-\x7f]/);
  if (at < 0) return;
  const line = text.slice(0, at).split('\n').length;
  // bin/aloft.js would run it: the bundle goes, with its map.
  rmSync(file, { force: true });
  rmSync(`${file}.map`, { force: true });
  throw new Error(`${file}:${line} holds a character that is not ASCII (write it as an escape in the source)`);
}
