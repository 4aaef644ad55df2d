// Bundles our own TypeScript (not node_modules) into dist/ so `npx aloft` starts fast on plain Node,
// then builds the web UI (ui/, Vue + Vite) into dist/ui, which `aloft server` serves at /ui.
import { build } from 'esbuild';
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

await viteBuild({ configFile: new URL('../ui/vite.config.mjs', import.meta.url).pathname });
