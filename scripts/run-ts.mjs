// Runs a TypeScript entry (bench scripts): esbuild bundles our code, node_modules stay external.
// The bundle goes under node_modules/.cache so that its bare imports resolve from the project.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...rest] = process.argv.slice(2);
const dir = resolve('node_modules/.cache/aloft-run');
mkdirSync(dir, { recursive: true });
const out = join(dir, `${basename(entry, '.ts')}-${process.pid}.cjs`);
await build({ entryPoints: [resolve(entry)], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', packages: 'external', sourcemap: 'inline', logLevel: 'warning' });
process.argv = [process.argv[0], out, ...rest];
await import(pathToFileURL(out).href);
