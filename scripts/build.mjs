// Bundles our own TypeScript (not node_modules) into dist/ so `npx aloft` starts fast on plain Node.
import { build } from 'esbuild';

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
